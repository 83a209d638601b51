/* One MVT polygon layer in one call: WKB geometry to quantised commands, property codes to tags, and the
 * Layer message around them (Mapbox Vector Tile 2.1).
 *
 * A cold tile of few areas is dominated by the fixed cost of each Python-level call, not by its work, so
 * everything that is done per point, ring, feature or property of a tile happens here, in one pass over
 * plain buffers that geo/mvt.py prepares: the WKB of every clipped geometry (shapely.to_wkb, little endian,
 * 2D) and, per property table, its (rows, keys) int32 value codes and its encoded Layer.values fields.
 *
 * Geometry: coordinates are mapped by x' = (x - ox) * sx, y' = (y - oy) * sy and rounded half to even;
 * repeated points and the closing point are dropped; rings of fewer than 3 points or zero area are dropped
 * (an exterior with its whole polygon part); exterior rings are wound clockwise on screen (positive
 * surveyor's area with y down) and holes the other way; commands are delta + zigzag varints, the cursor
 * carried over the rings of a feature and reset at the next. Features whose geometry collapsed are left out.
 *
 * Properties: column j of the tables (in table order, then key order) holds the code of a row's value in
 * its table, -1 when missing. Where two columns have the same key id, the later one wins where it has a
 * value. A tile's keys are numbered in order of first use, its values by their index across the tables
 * (tables order their values by use, so frequent values get one-byte indices).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <math.h>
#include <stdint.h>
#include <string.h>

#define COORD_LIMIT 2147483647.0 /* tile coordinates must fit in 32 bits: |x|, |y| below 2**31 */

typedef struct {
    uint8_t *data;
    Py_ssize_t size, cap;
} Buf;

static int reserve(Buf *b, Py_ssize_t extra) {
    if (b->size + extra <= b->cap) return 0;
    Py_ssize_t cap = b->cap ? b->cap : 1024;
    while (cap < b->size + extra) cap *= 2;
    uint8_t *p = PyMem_Realloc(b->data, cap);
    if (!p) {
        PyErr_NoMemory();
        return -1;
    }
    b->data = p;
    b->cap = cap;
    return 0;
}

static inline void put_varint(Buf *b, uint64_t v) { /* room reserved by the caller (10 bytes) */
    while (v >= 0x80) {
        b->data[b->size++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    b->data[b->size++] = (uint8_t)v;
}

static inline void put_bytes(Buf *b, const void *src, Py_ssize_t n) { /* room reserved by the caller */
    memcpy(b->data + b->size, src, n);
    b->size += n;
}

static inline Py_ssize_t varint_size(uint64_t v) {
    Py_ssize_t n = 1;
    while (v >= 0x80) {
        v >>= 7;
        n++;
    }
    return n;
}

/* The length of a Feature message: id, tags (when there are any), type POLYGON, geometry. */
static inline Py_ssize_t feature_size(int64_t id, Py_ssize_t tag_size, Py_ssize_t geometry_size) {
    Py_ssize_t size = 1 + varint_size((uint64_t)id) + 3 + varint_size(geometry_size) + geometry_size;
    return tag_size ? size + 1 + varint_size(tag_size) + tag_size : size;
}

static inline uint64_t zigzag(int64_t d) { return ((uint64_t)d << 1) ^ (uint64_t)(d >> 63); }

/* ---- geometry ---------------------------------------------------------------------------------------- */

typedef struct {
    double ox, oy, sx, sy;
} Affine;

typedef struct {
    const uint8_t *at, *end;
} Reader;

static int read_u32(Reader *r, uint32_t *out) {
    if (r->end - r->at < 4) return -1;
    const uint8_t *p = r->at;
    *out = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    r->at += 4;
    return 0;
}

static inline double read_f64(const uint8_t *p) {
    uint64_t bits = 0;
    for (int i = 7; i >= 0; i--) bits = bits << 8 | p[i];
    double value;
    memcpy(&value, &bits, 8);
    return value;
}

typedef struct {
    int64_t *xy; /* x, y, x, y … */
    Py_ssize_t cap;
} Points;

static int bad_wkb(const char *what) {
    PyErr_Format(PyExc_ValueError, "geometry WKB: %s", what);
    return -1;
}

/* Encode one polygon part's rings after its ring count; the cursor (cx, cy) carries over. */
static int encode_part(Reader *r, const Affine *t, Points *pts, Buf *out, int64_t *cx, int64_t *cy) {
    uint32_t n_rings;
    if (read_u32(r, &n_rings)) return bad_wkb("truncated");
    int skip = 0; /* the exterior collapsed: the holes go with it */
    for (uint32_t k = 0; k < n_rings; k++) {
        uint32_t n;
        if (read_u32(r, &n)) return bad_wkb("truncated");
        if ((uint64_t)(r->end - r->at) < 16 * (uint64_t)n) return bad_wkb("truncated");
        const uint8_t *p = r->at;
        r->at += 16 * (Py_ssize_t)n;
        if (skip) continue;
        if (2 * (Py_ssize_t)n > pts->cap) {
            Py_ssize_t cap = pts->cap ? pts->cap : 512;
            while (cap < 2 * (Py_ssize_t)n) cap *= 2;
            int64_t *xy = PyMem_Realloc(pts->xy, cap * sizeof(int64_t));
            if (!xy) {
                PyErr_NoMemory();
                return -1;
            }
            pts->xy = xy;
            pts->cap = cap;
        }
        int64_t *xy = pts->xy;
        Py_ssize_t count = 0;
        for (uint32_t i = 0; i < n; i++, p += 16) {
            double fx = nearbyint((read_f64(p) - t->ox) * t->sx);
            double fy = nearbyint((read_f64(p + 8) - t->oy) * t->sy);
            if (!(fabs(fx) < COORD_LIMIT && fabs(fy) < COORD_LIMIT)) {
                PyErr_SetString(PyExc_ValueError, "a tile coordinate is not finite or beyond 2**31");
                return -1;
            }
            int64_t x = (int64_t)fx, y = (int64_t)fy;
            if (count && x == xy[2 * count - 2] && y == xy[2 * count - 1]) continue; /* repeated */
            xy[2 * count] = x;
            xy[2 * count + 1] = y;
            count++;
        }
        if (count) count--; /* the closing point */
        __int128 area2 = 0;
        for (Py_ssize_t i = 0; i < count; i++) {
            Py_ssize_t j = i + 1 == count ? 0 : i + 1;
            area2 += (__int128)xy[2 * i] * xy[2 * j + 1] - (__int128)xy[2 * j] * xy[2 * i + 1];
        }
        if (count < 3 || area2 == 0) {
            skip = k == 0;
            continue;
        }
        int reverse = k == 0 ? area2 < 0 : area2 > 0;
        if (reserve(out, 10 * (2 * count + 3))) return -1;
        Py_ssize_t at = reverse ? count - 1 : 0, step = reverse ? -1 : 1;
        for (Py_ssize_t i = 0; i < count; i++, at += step) {
            if (i == 0) put_varint(out, (1 << 3) | 1); /* MoveTo(1) */
            if (i == 1) put_varint(out, ((uint64_t)(count - 1) << 3) | 2); /* LineTo(count - 1) */
            put_varint(out, zigzag(xy[2 * at] - *cx));
            put_varint(out, zigzag(xy[2 * at + 1] - *cy));
            *cx = xy[2 * at];
            *cy = xy[2 * at + 1];
        }
        put_varint(out, (1 << 3) | 7); /* ClosePath(1) */
    }
    return 0;
}

/* Append the commands of one 2D little-endian (Multi)Polygon WKB (None: empty) to out. */
static int encode_wkb(const uint8_t *at, const uint8_t *end, const Affine *t, Points *pts, Buf *out) {
    Reader r = {at, end};
    uint32_t kind, n_parts = 1;
    if (r.end - r.at < 1 || *r.at++ != 1) return bad_wkb("not little endian");
    if (read_u32(&r, &kind)) return bad_wkb("truncated");
    if (kind != 3 && kind != 6) {
        PyErr_Format(PyExc_ValueError, "only polygons can be encoded, not WKB type %u", kind);
        return -1;
    }
    if (kind == 6 && read_u32(&r, &n_parts)) return bad_wkb("truncated");
    int64_t cx = 0, cy = 0;
    for (uint32_t part = 0; part < n_parts; part++) {
        if (kind == 6) {
            uint32_t part_kind;
            if (r.end - r.at < 1 || *r.at++ != 1) return bad_wkb("not little endian");
            if (read_u32(&r, &part_kind) || part_kind != 3) return bad_wkb("a part is not a polygon");
        }
        if (encode_part(&r, t, pts, out, &cx, &cy)) return -1;
    }
    return 0;
}

/* One geometry: None, or WKB in any object with the buffer protocol (bytes, a memoryview of a mapped file). */
static int encode_geometry(PyObject *wkb, const Affine *t, Points *pts, Buf *out) {
    if (wkb == Py_None) return 0;
    Py_buffer view;
    if (PyObject_GetBuffer(wkb, &view, PyBUF_SIMPLE)) {
        PyErr_Clear();
        PyErr_SetString(PyExc_TypeError, "geometries must be WKB bytes");
        return -1;
    }
    const uint8_t *at = view.buf;
    int status = encode_wkb(at, at + view.len, t, pts, out);
    PyBuffer_Release(&view);
    return status;
}

/* The commands of every geometry; the geometries with any left are the layer's features. */
typedef struct {
    Buf commands;
    Py_ssize_t *spans;  /* spans[2g], spans[2g + 1]: the bytes of geometry g in commands */
    Py_ssize_t *kept;   /* the features: geometries with commands, in order */
    Py_ssize_t n_kept;
} Geometries;

static void free_geometries(Geometries *g) {
    PyMem_Free(g->commands.data);
    PyMem_Free(g->spans);
    PyMem_Free(g->kept);
}

static int encode_geometries(PyObject *list, const Affine *t, Geometries *out) {
    Py_ssize_t n = PyList_GET_SIZE(list);
    Points points = {0};
    out->spans = PyMem_Malloc((2 * n + 1) * sizeof(Py_ssize_t));
    out->kept = PyMem_Malloc((n + 1) * sizeof(Py_ssize_t));
    if (!out->spans || !out->kept) {
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t g = 0; g < n; g++) {
        out->spans[2 * g] = out->commands.size;
        if (encode_geometry(PyList_GET_ITEM(list, g), t, &points, &out->commands)) {
            PyMem_Free(points.xy);
            return -1;
        }
        out->spans[2 * g + 1] = out->commands.size;
        if (out->commands.size > out->spans[2 * g]) out->kept[out->n_kept++] = g;
    }
    PyMem_Free(points.xy);
    return 0;
}

/* ---- properties -------------------------------------------------------------------------------------- */

typedef struct {
    Py_buffer codes, offsets;
    PyObject *keys;   /* tuple of Layer.keys fields */
    PyObject *values; /* bytes: the Layer.values fields back to back */
    Py_ssize_t n_keys, n_values, base;
} Table;

/* The property tables and their columns (table order, then key order). */
typedef struct {
    Table *tables;
    Py_ssize_t n_tables, n_columns, n_values;
    Py_ssize_t *table_of;  /* column -> its table */
    Py_ssize_t *key_id;    /* column -> its key id (the same for columns of the same key name) */
    Py_ssize_t *next_same; /* column -> the next column of its key id, or -1 */
    PyObject **key_field;  /* key id -> its Layer.keys field */
    int duplicated;        /* some key id has more than one column */
} Columns;

static void free_columns(Columns *c) {
    for (Py_ssize_t i = 0; i < c->n_tables; i++) {
        PyBuffer_Release(&c->tables[i].codes);
        PyBuffer_Release(&c->tables[i].offsets);
    }
    PyMem_Free(c->tables);
    PyMem_Free(c->table_of);
    PyMem_Free(c->key_id);
    PyMem_Free(c->next_same);
    PyMem_Free(c->key_field);
}

static int table_error(PyObject *kind, Py_ssize_t i, const char *what) {
    PyErr_Format(kind, "table %zd: %s", i, what);
    return -1;
}

/* Take a table (codes, keys, values, offsets) of n rows; its buffers are released by free_columns. */
static int read_table(PyObject *item, Py_ssize_t i, Py_ssize_t n, Columns *c) {
    Table *tb = &c->tables[i];
    if (!PyArg_ParseTuple(item, "y*O!O!y*", &tb->codes, &PyTuple_Type, &tb->keys, &PyBytes_Type, &tb->values,
                          &tb->offsets))
        return -1;
    c->n_tables = i + 1;
    tb->n_keys = PyTuple_GET_SIZE(tb->keys);
    tb->n_values = tb->offsets.len / (Py_ssize_t)sizeof(int64_t) - 1;
    tb->base = c->n_values;
    c->n_values += tb->n_values;
    c->n_columns += tb->n_keys;
    if (tb->codes.len != n * tb->n_keys * (Py_ssize_t)sizeof(int32_t) || tb->n_values < 0)
        return table_error(PyExc_ValueError, i, "codes must be int32 (geometries, keys)");
    for (Py_ssize_t k = 0; k < tb->n_keys; k++)
        if (!PyBytes_Check(PyTuple_GET_ITEM(tb->keys, k)))
            return table_error(PyExc_TypeError, i, "keys must be bytes");
    return 0;
}

static int read_columns(PyObject *table_seq, PyObject *key_id_seq, Py_ssize_t n, Columns *c) {
    PyObject *tables = PySequence_Fast(table_seq, "tables must be a sequence");
    if (!tables) return -1;
    Py_ssize_t n_tables = PySequence_Fast_GET_SIZE(tables);
    c->tables = PyMem_Calloc(n_tables ? n_tables : 1, sizeof(Table));
    int failed = !c->tables;
    if (failed) PyErr_NoMemory();
    for (Py_ssize_t i = 0; i < n_tables && !failed; i++)
        failed = read_table(PySequence_Fast_GET_ITEM(tables, i), i, n, c) != 0;
    Py_DECREF(tables);
    if (failed) return -1;
    if (c->n_values >= UINT32_MAX) {
        PyErr_SetString(PyExc_ValueError, "too many property values");
        return -1;
    }

    PyObject *key_ids = PySequence_Fast(key_id_seq, "key_ids must be a sequence");
    if (!key_ids) return -1;
    Py_ssize_t m = c->n_columns ? c->n_columns : 1;
    c->table_of = PyMem_Malloc(m * sizeof(Py_ssize_t));
    c->key_id = PyMem_Malloc(m * sizeof(Py_ssize_t));
    c->next_same = PyMem_Malloc(m * sizeof(Py_ssize_t));
    c->key_field = PyMem_Malloc(m * sizeof(PyObject *));
    if (!c->table_of || !c->key_id || !c->next_same || !c->key_field) {
        PyErr_NoMemory();
        failed = 1;
    } else if (PySequence_Fast_GET_SIZE(key_ids) != c->n_columns) {
        PyErr_SetString(PyExc_ValueError, "key_ids: one per column of the tables");
        failed = 1;
    }
    for (Py_ssize_t i = 0, j = 0; i < c->n_tables && !failed; i++)
        for (Py_ssize_t k = 0; k < c->tables[i].n_keys && !failed; k++, j++) {
            Py_ssize_t id = PyLong_AsSsize_t(PySequence_Fast_GET_ITEM(key_ids, j));
            if (id < 0 || id >= c->n_columns) {
                if (!PyErr_Occurred())
                    PyErr_SetString(PyExc_ValueError, "key_ids must be in 0 .. columns - 1");
                failed = 1;
                break;
            }
            c->table_of[j] = i;
            c->key_id[j] = id;
            c->key_field[id] = PyTuple_GET_ITEM(c->tables[i].keys, k);
        }
    Py_DECREF(key_ids);
    if (failed) return -1;
    for (Py_ssize_t j = 0; j < c->n_columns; j++) {
        c->next_same[j] = -1;
        for (Py_ssize_t later = j + 1; later < c->n_columns && c->next_same[j] < 0; later++)
            if (c->key_id[later] == c->key_id[j]) c->next_same[j] = later;
        c->duplicated |= c->next_same[j] >= 0;
    }
    return 0;
}

/* Sort 32-bit unsigned values (LSD radix, 8 bits a pass; tmp as long as v). */
static void radix_sort(uint32_t *v, uint32_t *tmp, Py_ssize_t n, uint32_t top) {
    for (int shift = 0; shift < 32 && (top >> shift); shift += 8) {
        Py_ssize_t count[257] = {0};
        for (Py_ssize_t i = 0; i < n; i++) count[((v[i] >> shift) & 0xFF) + 1]++;
        for (int b = 0; b < 256; b++) count[b + 1] += count[b];
        for (Py_ssize_t i = 0; i < n; i++) tmp[count[(v[i] >> shift) & 0xFF]++] = v[i];
        memcpy(v, tmp, n * sizeof(uint32_t));
    }
}

/* The property part of a layer: its keys and values, and the packed tags of every feature. */
typedef struct {
    PyObject **keys; /* Layer.keys fields in tile order */
    Py_ssize_t n_keys;
    uint32_t *values; /* the values in tile order: indices across the tables, sorted */
    Py_ssize_t n_values;
    Buf packed;
    Py_ssize_t *spans; /* spans[f], spans[f + 1]: the tags of feature f in packed */
} Tags;

static void free_tags(Tags *t) {
    PyMem_Free(t->keys);
    PyMem_Free(t->values);
    PyMem_Free(t->packed.data);
    PyMem_Free(t->spans);
}

static int encode_tags(const Columns *c, const Geometries *g, Tags *out) {
    Py_ssize_t m = c->n_columns ? c->n_columns : 1, n_cells = 0;
    Py_ssize_t *local_key = PyMem_Malloc(m * sizeof(Py_ssize_t)); /* key id -> index in the tile, or -1 */
    int32_t *row_code = PyMem_Malloc(m * sizeof(int32_t));        /* one row's code of every column */
    int32_t *cell_key = PyMem_Malloc(g->n_kept * m * sizeof(int32_t));
    uint32_t *cell_value = PyMem_Malloc(g->n_kept * m * sizeof(uint32_t));
    uint32_t *scratch = PyMem_Malloc(g->n_kept * m * sizeof(uint32_t));
    out->keys = PyMem_Malloc(m * sizeof(PyObject *));
    out->values = PyMem_Malloc(g->n_kept * m * sizeof(uint32_t));
    out->spans = PyMem_Malloc((g->n_kept + 1) * sizeof(Py_ssize_t));
    int failed = 0;
    if (!local_key || !row_code || !cell_key || !cell_value || !scratch || !out->keys || !out->values ||
        !out->spans) {
        PyErr_NoMemory();
        failed = 1;
        goto done;
    }
    for (Py_ssize_t id = 0; id < c->n_columns; id++) local_key[id] = -1;

    /* the cells (key in the tile, value across the tables) of every feature, feature by feature */
    uint32_t top = 0;
    for (Py_ssize_t f = 0; f < g->n_kept; f++) {
        out->spans[f] = n_cells;
        for (Py_ssize_t i = 0, j = 0; i < c->n_tables; i++) {
            const Table *tb = &c->tables[i];
            const int32_t *row = (const int32_t *)tb->codes.buf + g->kept[f] * tb->n_keys;
            for (Py_ssize_t k = 0; k < tb->n_keys; k++, j++) {
                if (row[k] >= tb->n_values) {
                    table_error(PyExc_ValueError, i, "a value code beyond its values");
                    failed = 1;
                    goto done;
                }
                row_code[j] = row[k];
            }
        }
        for (Py_ssize_t j = 0; j < c->n_columns; j++) {
            if (row_code[j] < 0) continue;
            int overridden = 0; /* a later column of the same key with a value wins */
            for (Py_ssize_t later = c->duplicated ? c->next_same[j] : -1; later >= 0 && !overridden;
                 later = c->next_same[later])
                overridden = row_code[later] >= 0;
            if (overridden) continue;
            Py_ssize_t id = c->key_id[j];
            if (local_key[id] < 0) {
                local_key[id] = out->n_keys;
                out->keys[out->n_keys++] = c->key_field[id];
            }
            uint32_t value = (uint32_t)(c->tables[c->table_of[j]].base + row_code[j]);
            cell_key[n_cells] = (int32_t)local_key[id];
            cell_value[n_cells++] = value;
            if (value > top) top = value;
        }
    }
    out->spans[g->n_kept] = n_cells;

    /* the distinct values, sorted; a cell's value in the tile is its rank among them */
    memcpy(out->values, cell_value, n_cells * sizeof(uint32_t));
    radix_sort(out->values, scratch, n_cells, top);
    for (Py_ssize_t i = 0; i < n_cells; i++)
        if (!out->n_values || out->values[i] != out->values[out->n_values - 1])
            out->values[out->n_values++] = out->values[i];

    if (reserve(&out->packed, 20 * (n_cells + 1))) {
        failed = 1;
        goto done;
    }
    for (Py_ssize_t f = 0; f < g->n_kept; f++) {
        Py_ssize_t first = out->spans[f], stop = out->spans[f + 1];
        out->spans[f] = out->packed.size;
        for (Py_ssize_t cell = first; cell < stop; cell++) {
            Py_ssize_t low = 0, high = out->n_values - 1;
            while (low < high) {
                Py_ssize_t mid = (low + high) / 2;
                if (out->values[mid] < cell_value[cell]) low = mid + 1;
                else high = mid;
            }
            put_varint(&out->packed, (uint64_t)cell_key[cell]);
            put_varint(&out->packed, (uint64_t)low);
        }
    }
    out->spans[g->n_kept] = out->packed.size;

done:
    PyMem_Free(local_key);
    PyMem_Free(row_code);
    PyMem_Free(cell_key);
    PyMem_Free(cell_value);
    PyMem_Free(scratch);
    return failed ? -1 : 0;
}

/* ---- the layer --------------------------------------------------------------------------------------- */

/* The Layer.values field of value v (an index across the tables, asked for in increasing order from table
 * *table on); NULL when its offsets lie outside the table's values. */
static inline const char *value_field(const Columns *c, uint32_t v, Py_ssize_t *table, Py_ssize_t *size) {
    while (v >= c->tables[*table].base + c->tables[*table].n_values) (*table)++;
    const Table *tb = &c->tables[*table];
    const int64_t *off = tb->offsets.buf;
    Py_ssize_t at = v - tb->base;
    if (off[at] < 0 || off[at + 1] < off[at] || off[at + 1] > PyBytes_GET_SIZE(tb->values)) {
        table_error(PyExc_ValueError, *table, "value offsets outside its values");
        return NULL;
    }
    *size = off[at + 1] - off[at];
    return PyBytes_AS_STRING(tb->values) + off[at];
}

/* The Layer message: version, name, features (id, tags, type, geometry), keys, values, extent. */
static PyObject *layer_message(const Py_buffer *name, int extent, const int64_t *ids, const Geometries *g,
                               const Columns *c, const Tags *t) {
    Py_ssize_t size = 3 + 10 + name->len + 1 + 10, field_size = 0, table = 0;
    for (Py_ssize_t f = 0; f < g->n_kept; f++) {
        Py_ssize_t at = g->kept[f];
        Py_ssize_t geometry_size = g->spans[2 * at + 1] - g->spans[2 * at];
        Py_ssize_t body = feature_size(ids[at], t->spans[f + 1] - t->spans[f], geometry_size);
        size += 1 + varint_size(body) + body;
    }
    for (Py_ssize_t k = 0; k < t->n_keys; k++) size += PyBytes_GET_SIZE(t->keys[k]);
    for (Py_ssize_t i = 0; i < t->n_values; i++) {
        if (!value_field(c, t->values[i], &table, &field_size)) return NULL;
        size += field_size;
    }
    Buf out = {0};
    if (reserve(&out, size)) return NULL;
    put_bytes(&out, "\x78\x02\x0a", 3); /* version = 2, name */
    put_varint(&out, (uint64_t)name->len);
    put_bytes(&out, name->buf, name->len);
    for (Py_ssize_t f = 0; f < g->n_kept; f++) {
        Py_ssize_t at = g->kept[f];
        Py_ssize_t tag_size = t->spans[f + 1] - t->spans[f];
        Py_ssize_t geometry_size = g->spans[2 * at + 1] - g->spans[2 * at];
        put_bytes(&out, "\x12", 1); /* Layer.features */
        put_varint(&out, (uint64_t)feature_size(ids[at], tag_size, geometry_size));
        put_bytes(&out, "\x08", 1); /* id */
        put_varint(&out, (uint64_t)ids[at]);
        if (tag_size) {
            put_bytes(&out, "\x12", 1); /* tags, packed */
            put_varint(&out, (uint64_t)tag_size);
            put_bytes(&out, t->packed.data + t->spans[f], tag_size);
        }
        put_bytes(&out, "\x18\x03\x22", 3); /* type = POLYGON, geometry, packed */
        put_varint(&out, (uint64_t)geometry_size);
        put_bytes(&out, g->commands.data + g->spans[2 * at], geometry_size);
    }
    for (Py_ssize_t k = 0; k < t->n_keys; k++)
        put_bytes(&out, PyBytes_AS_STRING(t->keys[k]), PyBytes_GET_SIZE(t->keys[k]));
    table = 0;
    for (Py_ssize_t i = 0; i < t->n_values; i++) {
        const char *bytes = value_field(c, t->values[i], &table, &field_size);
        put_bytes(&out, bytes, field_size);
    }
    put_bytes(&out, "\x28", 1); /* extent */
    put_varint(&out, (uint64_t)extent);
    PyObject *result = PyBytes_FromStringAndSize((const char *)out.data, out.size);
    PyMem_Free(out.data);
    return result;
}

static const char encode_layer_doc[] =
    "encode_layer(name, extent, geometries, transform, ids, tables, key_ids) -> bytes\n\n"
    "The Layer message of polygon features; b'' when no feature has geometry left.\n"
    "geometries: list of 2D little-endian (Multi)Polygon WKB, bytes-like (or None); transform: (ox, oy, sx, sy);\n"
    "ids: int64 buffer, one per geometry; tables: sequence of (codes, keys, values, offsets) with codes\n"
    "an int32 buffer of (geometries, len(keys)) value codes, keys the Layer.keys fields, values the\n"
    "Layer.values fields back to back and offsets the int64 buffer of their starts and end; key_ids: one\n"
    "int per column over all tables, equal for columns of the same key name.";

static PyObject *encode_layer(PyObject *self, PyObject *args) {
    Py_buffer name, ids;
    int extent;
    PyObject *geometries, *tables, *key_ids, *result = NULL;
    Affine t;
    if (!PyArg_ParseTuple(args, "y*iO!(dddd)y*OO", &name, &extent, &PyList_Type, &geometries, &t.ox, &t.oy,
                          &t.sx, &t.sy, &ids, &tables, &key_ids))
        return NULL;
    Geometries g = {0};
    Columns c = {0};
    Tags tags = {0};
    Py_ssize_t n = PyList_GET_SIZE(geometries);
    if (ids.len != n * (Py_ssize_t)sizeof(int64_t))
        PyErr_SetString(PyExc_ValueError, "ids: one int64 per geometry");
    else if (encode_geometries(geometries, &t, &g) == 0) {
        if (!g.n_kept)
            result = PyBytes_FromStringAndSize("", 0);
        else if (read_columns(tables, key_ids, n, &c) == 0 && encode_tags(&c, &g, &tags) == 0)
            result = layer_message(&name, extent, ids.buf, &g, &c, &tags);
    }
    free_tags(&tags);
    free_columns(&c);
    free_geometries(&g);
    PyBuffer_Release(&name);
    PyBuffer_Release(&ids);
    return result;
}

static PyMethodDef methods[] = {
    {"encode_layer", encode_layer, METH_VARARGS, encode_layer_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "geo._mvt",
    .m_doc = "The compiled per-tile MVT layer encoder (see geo/mvt.py).",
    .m_size = -1,
    .m_methods = methods,
};

PyMODINIT_FUNC PyInit__mvt(void) { return PyModule_Create(&module); }
