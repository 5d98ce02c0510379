/* The interpreter's arena allocator, on the C library's malloc (tests/arenas.py says why).
 *
 * CPython maps the memory of its frame-stack chunks and of its small-object arenas with
 * mmap and unmaps it as soon as it is empty; malloc keeps freed memory for the next call.
 * Blocks made here are never page-aligned; the interpreter's own, mapped before this
 * allocator was installed, always are: those go back to the allocator that made them.
 */
#include <Python.h>
#include <stdint.h>
#include <stdlib.h>

#define PAGE_MASK ((uintptr_t)4095)
#define HEADER 32

static PyObjectArenaAllocator original;

static void *keep_alloc(void *ctx, size_t size)
{
    (void)ctx;
    char *base = malloc(size + HEADER + 16);
    if (base == NULL) {
        return NULL;
    }
    char *block = base + HEADER;
    if (((uintptr_t)block & PAGE_MASK) == 0) {
        block += 16;
    }
    ((char **)block)[-1] = base;
    return block;
}

static void keep_free(void *ctx, void *block, size_t size)
{
    (void)ctx;
    if (block == NULL) {
        return;
    }
    if (((uintptr_t)block & PAGE_MASK) == 0) {
        original.free(original.ctx, block, size);
        return;
    }
    free(((char **)block)[-1]);
}

int keep_arenas(void)
{
    static int installed = 0;
    PyObjectArenaAllocator mine = {NULL, keep_alloc, keep_free};
    if (installed) {
        return 1;
    }
    installed = 1;
    PyObject_GetArenaAllocator(&original);
    PyObject_SetArenaAllocator(&mine);
    return 1;
}
