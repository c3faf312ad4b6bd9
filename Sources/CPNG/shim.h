#include <png.h>

// Macros Swift cannot import.
static inline size_t cpng_image_size(png_image img) { return PNG_IMAGE_SIZE(img); }
static inline size_t cpng_row_stride(png_image img) { return PNG_IMAGE_ROW_STRIDE(img); }
static inline int cpng_image_failed(png_image img) { return PNG_IMAGE_FAILED(img); }
