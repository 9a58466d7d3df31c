/*
 * A power cut, as SQLite's own crash tests model it: only what was synced survives. Preloaded
 * into the gateway (LD_PRELOAD), this keeps, for each file whose path starts with
 * $HEARTH_DURABLE_FILES, an image of its content as of its last fsync/fdatasync, in the folder
 * $HEARTH_DURABLE_IMAGES. After a SIGKILL, a test puts back only those images: the disk as it
 * would be after the power came back. An unlinked file's image goes with it.
 *
 * Build: cc -shared -fPIC -o durable-images.so durable-images.c -ldl
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *watched(const char *path) {
  const char *prefix = getenv("HEARTH_DURABLE_FILES");
  if (!prefix || !getenv("HEARTH_DURABLE_IMAGES")) return NULL;
  if (strncmp(path, prefix, strlen(prefix)) != 0) return NULL;
  const char *base = strrchr(path, '/');
  return base ? base + 1 : path;
}

/* Copies path to the image folder under a temporary name, then renames: an image is whole. */
static void keep_image(const char *path, const char *base) {
  char tmp[PATH_MAX], dst[PATH_MAX];
  const char *dir = getenv("HEARTH_DURABLE_IMAGES");
  snprintf(dst, sizeof dst, "%s/%s", dir, base);
  snprintf(tmp, sizeof tmp, "%s/.%s.partial", dir, base);
  int in = open(path, O_RDONLY | O_CLOEXEC);
  if (in < 0) return;
  int out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (out < 0) {
    close(in);
    return;
  }
  char buf[65536];
  ssize_t n;
  while ((n = read(in, buf, sizeof buf)) > 0) {
    ssize_t off = 0;
    while (off < n) {
      ssize_t w = write(out, buf + off, (size_t)(n - off));
      if (w <= 0) goto done;
      off += w;
    }
  }
done:
  close(in);
  close(out);
  rename(tmp, dst);
}

static void after_sync(int fd) {
  char link[64], path[PATH_MAX];
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  ssize_t n = readlink(link, path, sizeof path - 1);
  if (n < 0) return;
  path[n] = 0;
  const char *base = watched(path);
  if (base) keep_image(path, base);
}

int fsync(int fd) {
  static int (*real)(int);
  if (!real) real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
  int r = real(fd);
  if (r == 0) after_sync(fd);
  return r;
}

int fdatasync(int fd) {
  static int (*real)(int);
  if (!real) real = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
  int r = real(fd);
  if (r == 0) after_sync(fd);
  return r;
}

int unlink(const char *path) {
  static int (*real)(const char *);
  if (!real) real = (int (*)(const char *))dlsym(RTLD_NEXT, "unlink");
  int r = real(path);
  const char *base = r == 0 ? watched(path) : NULL;
  if (base) {
    char dst[PATH_MAX];
    snprintf(dst, sizeof dst, "%s/%s", getenv("HEARTH_DURABLE_IMAGES"), base);
    real(dst);
  }
  return r;
}
