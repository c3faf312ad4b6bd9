#include <png.h>

// Macros Swift cannot import.
static inline size_t cpng_image_size(png_image img) { return PNG_IMAGE_SIZE(img); }
static inline size_t cpng_row_stride(png_image img) { return PNG_IMAGE_ROW_STRIDE(img); }
static inline int cpng_image_failed(png_image img) { return PNG_IMAGE_FAILED(img); }
// The largest PNG libpng can make of `img` (a bound for png_image_write_to_memory's buffer).
static inline size_t cpng_png_size_max(png_image img) { return PNG_IMAGE_PNG_SIZE_MAX(img); }
