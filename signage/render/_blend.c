/*
 * signage.render._blend: the crossfade's one hot loop, in C.
 *
 * Why this exists: pygame hands a surface-alpha blit to SDL, whose blend for 32-bit
 * pixels is scalar code (about 1.3 ns a pixel on the 2-core boxes we target, 2.7 ms for
 * a 1920x1080 frame, plus a copy of the old picture first). This loop reads both
 * pictures and writes the blend in one pass; compilers vectorise it (SSE2 on x86-64,
 * NEON on arm64), so it runs at memory speed: under 1 ms for a 1080p frame.
 *
 * blend(dst, dst_pitch, dst_offset, a, a_pitch, a_offset, b, b_pitch, b_offset,
 *       row_bytes, rows, weight)
 *
 * For each of `rows` rows of `row_bytes` bytes, starting `offset` bytes into each buffer
 * and `pitch` bytes apart:  dst = (a * (256 - weight) + b * weight + 128) >> 8, byte by
 * byte, with 0 <= weight <= 256 (0 gives a, 256 gives b exactly). The bytes are 8-bit
 * channels of pixels in one shared format, so blending bytes blends pixels.
 *
 * Every span is checked against its buffer's length before anything is written: a bad
 * call raises ValueError, it never touches memory it does not own. The GIL is released
 * while blending, so the picture-prefetch thread runs meanwhile.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>

static void blend_rows(uint8_t *dst, Py_ssize_t dst_pitch, const uint8_t *a,
                       Py_ssize_t a_pitch, const uint8_t *b, Py_ssize_t b_pitch,
                       Py_ssize_t row_bytes, Py_ssize_t rows, unsigned weight)
{
    /* a * (256 - w) + b * w + 128 <= 255 * 256 + 128 fits 16 bits: 16-bit vector lanes. */
    const uint16_t wa = (uint16_t)(256 - weight), wb = (uint16_t)weight;
    for (Py_ssize_t row = 0; row < rows; row++) {
        uint8_t *restrict out = dst + row * dst_pitch;
        const uint8_t *restrict from = a + row * a_pitch;
        const uint8_t *restrict to = b + row * b_pitch;
        for (Py_ssize_t i = 0; i < row_bytes; i++)
            out[i] = (uint8_t)((uint16_t)(from[i] * wa + to[i] * wb + 128) >> 8);
    }
}

/* Whether `rows` rows of `row_bytes` at `offset`, `pitch` apart, lie inside `view`. */
static int span_fits(const Py_buffer *view, Py_ssize_t pitch, Py_ssize_t offset,
                     Py_ssize_t row_bytes, Py_ssize_t rows)
{
    if (offset < 0 || pitch < row_bytes)
        return 0;
    if (rows == 0 || row_bytes == 0)
        return 1;
    Py_ssize_t room = view->len - offset - row_bytes;
    return room >= 0 && (rows - 1) <= room / pitch;
}

static PyObject *blend(PyObject *module, PyObject *args)
{
    Py_buffer dst, a, b;
    Py_ssize_t dst_pitch, dst_offset, a_pitch, a_offset, b_pitch, b_offset, row_bytes, rows;
    long weight;
    (void)module;
    if (!PyArg_ParseTuple(args, "w*nny*nny*nnnnl:blend", &dst, &dst_pitch, &dst_offset,
                          &a, &a_pitch, &a_offset, &b, &b_pitch, &b_offset, &row_bytes,
                          &rows, &weight))
        return NULL;
    const char *problem = NULL;
    if (weight < 0 || weight > 256)
        problem = "weight must be between 0 and 256";
    else if (row_bytes < 0 || rows < 0)
        problem = "row_bytes and rows must not be negative";
    else if (!span_fits(&dst, dst_pitch, dst_offset, row_bytes, rows))
        problem = "the rows do not fit in dst";
    else if (!span_fits(&a, a_pitch, a_offset, row_bytes, rows))
        problem = "the rows do not fit in a";
    else if (!span_fits(&b, b_pitch, b_offset, row_bytes, rows))
        problem = "the rows do not fit in b";
    if (problem == NULL) {
        Py_BEGIN_ALLOW_THREADS
        blend_rows((uint8_t *)dst.buf + dst_offset, dst_pitch,
                   (const uint8_t *)a.buf + a_offset, a_pitch,
                   (const uint8_t *)b.buf + b_offset, b_pitch, row_bytes, rows,
                   (unsigned)weight);
        Py_END_ALLOW_THREADS
    }
    PyBuffer_Release(&dst);
    PyBuffer_Release(&a);
    PyBuffer_Release(&b);
    if (problem != NULL) {
        PyErr_SetString(PyExc_ValueError, problem);
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyMethodDef blend_methods[] = {
    {"blend", blend, METH_VARARGS,
     "blend(dst, dst_pitch, dst_offset, a, a_pitch, a_offset, b, b_pitch, b_offset, "
     "row_bytes, rows, weight): dst = (a*(256-weight) + b*weight + 128) >> 8 per byte."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef blend_module = {
    PyModuleDef_HEAD_INIT, "_blend", "The crossfade's blend loop (see blend.py).", -1,
    blend_methods,
};

PyMODINIT_FUNC PyInit__blend(void)
{
    return PyModule_Create(&blend_module);
}
