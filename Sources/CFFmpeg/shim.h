#include <libavformat/avformat.h>
#include <libavcodec/avcodec.h>
#include <libswscale/swscale.h>
#include <libavutil/avutil.h>
#include <libavutil/imgutils.h>
#include <libavutil/opt.h>
#include <libavutil/dict.h>
#include <libavutil/pixdesc.h>
#include <errno.h>

// Function-like macros and compound literals that Swift cannot import.
static inline int cffmpeg_averror(int e) { return AVERROR(e); }
static inline int cffmpeg_averror_eof(void) { return AVERROR_EOF; }
static inline int cffmpeg_averror_eagain(void) { return AVERROR(EAGAIN); }
static inline int64_t cffmpeg_nopts_value(void) { return AV_NOPTS_VALUE; }
static inline int cffmpeg_averror_invalid_data(void) { return AVERROR_INVALIDDATA; }

// An AVIOContext on a file descriptor the caller opened (O_EXCL|O_NOFOLLOW, see PartialFile), so that
// FFmpeg never opens an output path itself. pread/pwrite at our own position: the muxer seeks back to
// patch box sizes. The first failed write's errno is kept, and every later write fails with it, so no
// data lands after a hole.
#include <unistd.h>
#include <sys/stat.h>
typedef struct cffmpeg_fdio {
    int fd;
    int64_t position;
    int64_t end;     // one past the last byte written
    int error;       // errno of the first failed read/write (0: none)
} cffmpeg_fdio;

static inline int cffmpeg_fdio_write(void *opaque, uint8_t *buf, int size) {
    cffmpeg_fdio *io = (cffmpeg_fdio *)opaque;
    if (io->error) return AVERROR(io->error);
    int done = 0;
    while (done < size) {
        ssize_t n = pwrite(io->fd, buf + done, (size_t)(size - done), io->position);
        if (n < 0) {
            if (errno == EINTR) continue;
            io->error = errno;
            return AVERROR(io->error);
        }
        done += (int)n;
        io->position += n;
        if (io->position > io->end) io->end = io->position;
    }
    return size;
}

static inline int cffmpeg_fdio_read(void *opaque, uint8_t *buf, int size) {
    cffmpeg_fdio *io = (cffmpeg_fdio *)opaque;
    for (;;) {
        ssize_t n = pread(io->fd, buf, (size_t)size, io->position);
        if (n < 0) {
            if (errno == EINTR) continue;
            io->error = errno;
            return AVERROR(errno);
        }
        if (n == 0) return AVERROR_EOF;
        io->position += n;
        return (int)n;
    }
}

static inline int64_t cffmpeg_fdio_seek(void *opaque, int64_t offset, int whence) {
    cffmpeg_fdio *io = (cffmpeg_fdio *)opaque;
    struct stat st;
    int64_t size = io->end;
    if (fstat(io->fd, &st) == 0 && st.st_size > size) size = st.st_size;
    if (whence & AVSEEK_SIZE) return size;
    whence &= ~AVSEEK_FORCE;
    int64_t target;
    switch (whence) {
    case SEEK_SET: target = offset; break;
    case SEEK_CUR: target = io->position + offset; break;
    case SEEK_END: target = size + offset; break;
    default: return AVERROR(EINVAL);
    }
    if (target < 0) return AVERROR(EINVAL);
    io->position = target;
    return target;
}

/// A writing (write_flag 1) or reading AVIOContext over `io`; free with avio_context_free after
/// av_freep(&ctx->buffer).
static inline AVIOContext *cffmpeg_fdio_context(cffmpeg_fdio *io, int write_flag) {
    const int size = 1 << 16;
    unsigned char *buffer = av_malloc(size);
    if (!buffer) return NULL;
    AVIOContext *ctx = avio_alloc_context(buffer, size, write_flag, io,
                                          write_flag ? NULL : cffmpeg_fdio_read,
                                          write_flag ? cffmpeg_fdio_write : NULL,
                                          cffmpeg_fdio_seek);
    if (!ctx) av_free(buffer);
    return ctx;
}

static inline void cffmpeg_fdio_context_free(AVIOContext **ctx) {
    if (!ctx || !*ctx) return;
    av_freep(&(*ctx)->buffer);
    avio_context_free(ctx);
}

// fallocate(2) is a GNU extension that Swift's Glibc module does not import. Used by Media's
// PartialFile (which already links this module) to hold disk space for what a stop must still write.
#include <linux/falloc.h>
extern int fallocate(int fd, int mode, off_t offset, off_t len);
/// Allocates [offset, offset+length) without changing the file's size; 0 or an errno.
static inline int cfile_reserve(int fd, int64_t offset, int64_t length) {
    return fallocate(fd, FALLOC_FL_KEEP_SIZE, (off_t)offset, (off_t)length) == 0 ? 0 : errno;
}
/// Gives back the blocks of [offset, offset+length) (a reservation past the end of the data); 0 or an errno.
static inline int cfile_release(int fd, int64_t offset, int64_t length) {
    return fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)offset, (off_t)length) == 0 ? 0 : errno;
}
