/* Writes the CMYK JPEG test fixtures of Tests/EncodeTests/Fixtures from one synthetic RGB pattern:
 *   pattern.ppm                 the RGB source (64x48: colour ramps and six flat patches)
 *   cmyk-adobe-inverted.jpg     CMYK, Adobe APP14 marker (transform 0), inverted samples (as Photoshop writes)
 *   ycck-adobe-inverted.jpg     YCCK, Adobe APP14 marker (transform 2), inverted samples
 *   cmyk-plain.jpg              CMYK without an Adobe marker, samples as plain ink amounts
 * Build and run (libjpeg62-turbo-dev):  cc -O2 -o /tmp/mk tools/make_cmyk_fixtures.c -ljpeg && /tmp/mk DIR
 * Then: ffmpeg -i DIR/pattern.ppm DIR/pattern.png, and remove DIR/pattern.ppm. */
#include <stdio.h>
#include <stdlib.h>
#include <jpeglib.h>

enum { W = 64, H = 48 };
static unsigned char rgb[H][W][3];

static void pattern(void) {
    static const unsigned char patch[6][3] = {
        {220, 30, 30}, {30, 180, 60}, {40, 70, 200}, {240, 220, 40}, {20, 20, 20}, {250, 250, 250}};
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            unsigned char *p = rgb[y][x];
            if (y >= 32) {            /* six flat patches along the bottom: what a tolerance can judge */
                const unsigned char *c = patch[x * 6 / W];
                p[0] = c[0]; p[1] = c[1]; p[2] = c[2];
            } else {                  /* smooth ramps above */
                p[0] = (unsigned char)(x * 4);
                p[1] = (unsigned char)(y * 8);
                p[2] = (unsigned char)(255 - x * 2 - y * 2);
            }
        }
}

/* Plain ink amounts 0...255 (255 = full ink): K from the brightest channel, C, M, Y from the rest. */
static void ink(const unsigned char *p, unsigned char *out) {
    int mx = p[0] > p[1] ? p[0] : p[1];
    if (p[2] > mx) mx = p[2];
    int k = 255 - mx;
    for (int c = 0; c < 3; c++) out[c] = mx == 0 ? 0 : (unsigned char)((255 - p[c] - k) * 255 / (255 - k));
    out[3] = (unsigned char)k;
}

static void write_jpeg(const char *dir, const char *name, J_COLOR_SPACE space, boolean adobe, int inverted) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f) { perror(path); exit(1); }
    struct jpeg_compress_struct cinfo;
    struct jpeg_error_mgr jerr;
    cinfo.err = jpeg_std_error(&jerr);
    jpeg_create_compress(&cinfo);
    jpeg_stdio_dest(&cinfo, f);
    cinfo.image_width = W; cinfo.image_height = H;
    cinfo.input_components = 4; cinfo.in_color_space = JCS_CMYK;
    jpeg_set_defaults(&cinfo);
    jpeg_set_colorspace(&cinfo, space);
    for (int c = 0; c < cinfo.num_components; c++) cinfo.comp_info[c].h_samp_factor = cinfo.comp_info[c].v_samp_factor = 1;
    cinfo.write_Adobe_marker = adobe;
    jpeg_set_quality(&cinfo, 95, TRUE);
    jpeg_start_compress(&cinfo, TRUE);
    unsigned char row[W * 4];
    while (cinfo.next_scanline < H) {
        for (int x = 0; x < W; x++) {
            ink(rgb[cinfo.next_scanline][x], row + 4 * x);
            if (inverted) for (int c = 0; c < 4; c++) row[4 * x + c] = 255 - row[4 * x + c];
        }
        JSAMPROW r = row;
        jpeg_write_scanlines(&cinfo, &r, 1);
    }
    jpeg_finish_compress(&cinfo);
    jpeg_destroy_compress(&cinfo);
    fclose(f);
}

int main(int argc, char **argv) {
    if (argc != 2) { fprintf(stderr, "usage: %s DIR\n", argv[0]); return 2; }
    pattern();
    char path[4096];
    snprintf(path, sizeof path, "%s/pattern.ppm", argv[1]);
    FILE *f = fopen(path, "wb");
    if (!f) { perror(path); return 1; }
    fprintf(f, "P6\n%d %d\n255\n", W, H);
    fwrite(rgb, 1, sizeof rgb, f);
    fclose(f);
    write_jpeg(argv[1], "cmyk-adobe-inverted.jpg", JCS_CMYK, TRUE, 1);
    write_jpeg(argv[1], "ycck-adobe-inverted.jpg", JCS_YCCK, TRUE, 1);
    write_jpeg(argv[1], "cmyk-plain.jpg", JCS_CMYK, FALSE, 0);
    return 0;
}
