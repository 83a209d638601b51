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
static int encode_geometry(PyObject *wkb, const Affine *t, Points *pts, Buf *out) {
    if (wkb == Py_None) return 0;
    if (!PyBytes_Check(wkb)) {
        PyErr_SetString(PyExc_TypeError, "geometries must be WKB bytes");
        return -1;
    }
    Reader r = {(const uint8_t *)PyBytes_AS_STRING(wkb), NULL};
    r.end = r.at + PyBytes_GET_SIZE(wkb);
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

/* ---- properties -------------------------------------------------------------------------------------- */

typedef struct {
    Py_buffer codes, offsets;
    PyObject *keys;   /* tuple of Layer.keys fields */
    PyObject *values; /* bytes: the Layer.values fields back to back */
    Py_ssize_t n_keys, n_values, base;
} Table;

static void release_tables(Table *tables, Py_ssize_t n) {
    for (Py_ssize_t i = 0; i < n; i++) {
        if (tables[i].codes.obj) PyBuffer_Release(&tables[i].codes);
        if (tables[i].offsets.obj) PyBuffer_Release(&tables[i].offsets);
    }
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

/* ---- the layer --------------------------------------------------------------------------------------- */

static const char encode_layer_doc[] =
    "encode_layer(name, extent, geometries, transform, ids, tables, key_ids) -> bytes\n\n"
    "The Layer message of polygon features; b'' when no feature has geometry left.\n"
    "geometries: list of 2D little-endian (Multi)Polygon WKB (or None); transform: (ox, oy, sx, sy);\n"
    "ids: int64 buffer, one per geometry; tables: sequence of (codes, keys, values, offsets) with codes an\n"
    "int32 buffer of (geometries, len(keys)) value codes, keys the Layer.keys fields, values the Layer.values\n"
    "fields back to back and offsets the int64 buffer of their starts and end; key_ids: one int per column\n"
    "over all tables, equal for columns of the same key name.";

static PyObject *encode_layer(PyObject *self, PyObject *args) {
    Py_buffer name, ids_view = {0};
    int extent;
    PyObject *geometries, *table_seq, *key_id_seq;
    Affine t;
    if (!PyArg_ParseTuple(args, "y*iO!(dddd)y*OO", &name, &extent, &PyList_Type, &geometries, &t.ox, &t.oy,
                          &t.sx, &t.sy, &ids_view, &table_seq, &key_id_seq))
        return NULL;

    PyObject *result = NULL, *tables_fast = NULL, *key_ids_fast = NULL;
    Table *tables = NULL;
    Py_ssize_t n_tables = 0, n_columns = 0;
    Buf geometry = {0}, tags = {0}, out = {0};
    Points pts = {0};
    Py_ssize_t *spans = NULL, *kept = NULL, *tag_spans = NULL, *local_key = NULL;
    Py_ssize_t *key_column = NULL, *next_same = NULL, *cell_value_at = NULL, *column_table = NULL;
    PyObject **column_field = NULL, **key_field = NULL;
    int32_t *column_code = NULL;
    uint32_t *cell_value = NULL, *sorted = NULL, *scratch = NULL;
    int32_t *cell_key = NULL;
    const int64_t *ids = ids_view.buf;
    Py_ssize_t n = PyList_GET_SIZE(geometries);

    if (ids_view.len != n * (Py_ssize_t)sizeof(int64_t)) {
        PyErr_SetString(PyExc_ValueError, "ids: one int64 per geometry");
        goto done;
    }

    /* geometry of every feature; spans[2g], spans[2g + 1]: its byte range */
    spans = PyMem_Malloc((2 * n + 1) * sizeof(Py_ssize_t));
    kept = PyMem_Malloc((n + 1) * sizeof(Py_ssize_t));
    if (!spans || !kept) {
        PyErr_NoMemory();
        goto done;
    }
    Py_ssize_t n_kept = 0;
    for (Py_ssize_t g = 0; g < n; g++) {
        spans[2 * g] = geometry.size;
        if (encode_geometry(PyList_GET_ITEM(geometries, g), &t, &pts, &geometry)) goto done;
        spans[2 * g + 1] = geometry.size;
        if (geometry.size > spans[2 * g]) kept[n_kept++] = g;
    }
    if (!n_kept) {
        result = PyBytes_FromStringAndSize("", 0);
        goto done;
    }

    /* the property tables */
    tables_fast = PySequence_Fast(table_seq, "tables must be a sequence");
    if (!tables_fast) goto done;
    n_tables = PySequence_Fast_GET_SIZE(tables_fast);
    tables = PyMem_Calloc(n_tables ? n_tables : 1, sizeof(Table));
    if (!tables) {
        PyErr_NoMemory();
        goto done;
    }
    Py_ssize_t n_all_values = 0;
    for (Py_ssize_t i = 0; i < n_tables; i++) {
        Table *tb = &tables[i];
        PyObject *item = PySequence_Fast_GET_ITEM(tables_fast, i);
        if (!PyArg_ParseTuple(item, "y*O!O!y*", &tb->codes, &PyTuple_Type, &tb->keys, &PyBytes_Type,
                              &tb->values, &tb->offsets)) {
            n_tables = i; /* release what was taken */
            goto done;
        }
        tb->n_keys = PyTuple_GET_SIZE(tb->keys);
        tb->n_values = tb->offsets.len / (Py_ssize_t)sizeof(int64_t) - 1;
        tb->base = n_all_values;
        n_all_values += tb->n_values;
        n_columns += tb->n_keys;
        if (tb->codes.len != n * tb->n_keys * (Py_ssize_t)sizeof(int32_t) || tb->n_values < 0) {
            PyErr_Format(PyExc_ValueError, "table %zd: codes must be int32 (geometries, keys)", i);
            n_tables = i + 1;
            goto done;
        }
        const int64_t *off = tb->offsets.buf;
        if (off[0] < 0 || off[tb->n_values] > PyBytes_GET_SIZE(tb->values)) {
            PyErr_Format(PyExc_ValueError, "table %zd: value offsets beyond the values", i);
            n_tables = i + 1;
            goto done;
        }
        for (Py_ssize_t k = 0; k < tb->n_keys; k++)
            if (!PyBytes_Check(PyTuple_GET_ITEM(tb->keys, k))) {
                PyErr_Format(PyExc_TypeError, "table %zd: keys must be bytes", i);
                n_tables = i + 1;
                goto done;
            }
    }
    if (n_all_values >= UINT32_MAX) {
        PyErr_SetString(PyExc_ValueError, "too many property values");
        goto done;
    }

    /* per column: its table, its Layer.keys field, its key id and the next column with the same key id */
    key_ids_fast = PySequence_Fast(key_id_seq, "key_ids must be a sequence");
    if (!key_ids_fast) goto done;
    if (PySequence_Fast_GET_SIZE(key_ids_fast) != n_columns) {
        PyErr_SetString(PyExc_ValueError, "key_ids: one per column of the tables");
        goto done;
    }
    Py_ssize_t m = n_columns ? n_columns : 1;
    column_table = PyMem_Malloc(m * sizeof(Py_ssize_t));
    column_field = PyMem_Malloc(m * sizeof(PyObject *));
    column_code = PyMem_Malloc(m * sizeof(int32_t));  /* the codes of one row */
    key_column = PyMem_Malloc(m * sizeof(Py_ssize_t)); /* column -> key id */
    next_same = PyMem_Malloc(m * sizeof(Py_ssize_t));  /* column -> next column of its key, or -1 */
    key_field = PyMem_Malloc(m * sizeof(PyObject *));  /* key id -> its Layer.keys field */
    local_key = PyMem_Malloc(m * sizeof(Py_ssize_t));  /* key id -> index in this tile, or -1 */
    if (!column_table || !column_field || !column_code || !key_column || !next_same || !key_field || !local_key) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t i = 0, j = 0; i < n_tables; i++)
        for (Py_ssize_t k = 0; k < tables[i].n_keys; k++, j++) {
            column_table[j] = i;
            column_field[j] = PyTuple_GET_ITEM(tables[i].keys, k);
        }
    for (Py_ssize_t j = 0; j < n_columns; j++) {
        Py_ssize_t id = PyLong_AsSsize_t(PySequence_Fast_GET_ITEM(key_ids_fast, j));
        if (id == -1 && PyErr_Occurred()) goto done;
        if (id < 0 || id >= n_columns) {
            PyErr_SetString(PyExc_ValueError, "key_ids must be in 0 .. columns - 1");
            goto done;
        }
        key_column[j] = id;
        key_field[id] = column_field[j];
        local_key[j] = -1;
    }
    int duplicated = 0;
    for (Py_ssize_t j = 0; j < n_columns; j++) {
        next_same[j] = -1;
        for (Py_ssize_t later = j + 1; later < n_columns && next_same[j] < 0; later++)
            if (key_column[later] == key_column[j]) next_same[j] = later;
        duplicated |= next_same[j] >= 0;
    }

    /* the cells (key, value) of every kept feature, feature by feature */
    Py_ssize_t max_cells = n_kept * m;
    cell_key = PyMem_Malloc(max_cells * sizeof(int32_t));
    cell_value = PyMem_Malloc(max_cells * sizeof(uint32_t));
    cell_value_at = PyMem_Malloc((n_kept + 1) * sizeof(Py_ssize_t));
    if (!cell_key || !cell_value || !cell_value_at) {
        PyErr_NoMemory();
        goto done;
    }
    Py_ssize_t n_cells = 0, n_local_keys = 0;
    uint32_t top = 0;
    for (Py_ssize_t f = 0; f < n_kept; f++) {
        Py_ssize_t g = kept[f];
        cell_value_at[f] = n_cells;
        for (Py_ssize_t i = 0, j = 0; i < n_tables; i++) {
            const int32_t *row = (const int32_t *)tables[i].codes.buf + g * tables[i].n_keys;
            for (Py_ssize_t k = 0; k < tables[i].n_keys; k++, j++) {
                if (row[k] >= tables[i].n_values) {
                    PyErr_Format(PyExc_ValueError, "table %zd: a value code beyond its values", i);
                    goto done;
                }
                column_code[j] = row[k];
            }
        }
        for (Py_ssize_t j = 0; j < n_columns; j++) {
            if (column_code[j] < 0) continue;
            int overridden = 0; /* a later column of the same key with a value wins */
            for (Py_ssize_t later = duplicated ? next_same[j] : -1; later >= 0 && !overridden;
                 later = next_same[later])
                overridden = column_code[later] >= 0;
            if (overridden) continue;
            Py_ssize_t id = key_column[j];
            if (local_key[id] < 0) local_key[id] = n_local_keys++;
            uint32_t value = (uint32_t)(tables[column_table[j]].base + column_code[j]);
            cell_key[n_cells] = (int32_t)local_key[id];
            cell_value[n_cells++] = value;
            if (value > top) top = value;
        }
    }
    cell_value_at[n_kept] = n_cells;

    /* distinct values, sorted; each cell's value becomes its rank */
    sorted = PyMem_Malloc((n_cells ? n_cells : 1) * sizeof(uint32_t));
    scratch = PyMem_Malloc((n_cells ? n_cells : 1) * sizeof(uint32_t));
    if (!sorted || !scratch) {
        PyErr_NoMemory();
        goto done;
    }
    memcpy(sorted, cell_value, n_cells * sizeof(uint32_t));
    radix_sort(sorted, scratch, n_cells, top);
    Py_ssize_t n_distinct = 0;
    for (Py_ssize_t i = 0; i < n_cells; i++)
        if (!n_distinct || sorted[i] != sorted[n_distinct - 1]) sorted[n_distinct++] = sorted[i];

    /* packed tags of every kept feature */
    tag_spans = PyMem_Malloc((n_kept + 1) * sizeof(Py_ssize_t));
    if (!tag_spans || reserve(&tags, 20 * (n_cells + 1))) {
        if (!tag_spans) PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t f = 0; f < n_kept; f++) {
        tag_spans[f] = tags.size;
        for (Py_ssize_t c = cell_value_at[f]; c < cell_value_at[f + 1]; c++) {
            Py_ssize_t low = 0, high = n_distinct - 1;
            while (low < high) { /* the value's rank */
                Py_ssize_t mid = (low + high) / 2;
                if (sorted[mid] < cell_value[c]) low = mid + 1;
                else high = mid;
            }
            put_varint(&tags, (uint64_t)cell_key[c]);
            put_varint(&tags, (uint64_t)low);
        }
    }
    tag_spans[n_kept] = tags.size;

    /* the Layer message: version, name, features, keys, values, extent */
    Py_ssize_t keys_size = 0, values_size = 0;
    PyObject **key_fields = PyMem_Malloc((n_local_keys ? n_local_keys : 1) * sizeof(PyObject *));
    if (!key_fields) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t id = 0; id < n_columns; id++) {
        if (local_key[id] < 0) continue;
        key_fields[local_key[id]] = key_field[id];
        keys_size += PyBytes_GET_SIZE(key_field[id]);
    }
    Py_ssize_t table_of = 0;
    for (Py_ssize_t i = 0; i < n_distinct; i++) {
        while (sorted[i] >= tables[table_of].base + tables[table_of].n_values) table_of++;
        const int64_t *off = tables[table_of].offsets.buf;
        Py_ssize_t v = sorted[i] - tables[table_of].base;
        values_size += off[v + 1] - off[v];
    }
    Py_ssize_t features_size = 0;
    for (Py_ssize_t f = 0; f < n_kept; f++) {
        Py_ssize_t g = kept[f];
        Py_ssize_t body = feature_size(ids[g], tag_spans[f + 1] - tag_spans[f], spans[2 * g + 1] - spans[2 * g]);
        features_size += 1 + varint_size(body) + body;
    }
    if (reserve(&out, 2 + 1 + 10 + name.len + features_size + keys_size + values_size + 11 + 32 * n_kept)) {
        PyMem_Free(key_fields);
        goto done;
    }
    put_bytes(&out, "\x78\x02\x0a", 3); /* version = 2, name */
    put_varint(&out, (uint64_t)name.len);
    put_bytes(&out, name.buf, name.len);
    for (Py_ssize_t f = 0; f < n_kept; f++) {
        Py_ssize_t g = kept[f];
        Py_ssize_t geometry_size = spans[2 * g + 1] - spans[2 * g], tag_size = tag_spans[f + 1] - tag_spans[f];
        put_bytes(&out, "\x12", 1); /* Layer.features */
        put_varint(&out, (uint64_t)feature_size(ids[g], tag_size, geometry_size));
        put_bytes(&out, "\x08", 1); /* id */
        put_varint(&out, (uint64_t)ids[g]);
        if (tag_size) {
            put_bytes(&out, "\x12", 1); /* tags, packed */
            put_varint(&out, (uint64_t)tag_size);
            put_bytes(&out, tags.data + tag_spans[f], tag_size);
        }
        put_bytes(&out, "\x18\x03\x22", 3); /* type = POLYGON, geometry, packed */
        put_varint(&out, (uint64_t)geometry_size);
        put_bytes(&out, geometry.data + spans[2 * g], geometry_size);
    }
    for (Py_ssize_t k = 0; k < n_local_keys; k++)
        put_bytes(&out, PyBytes_AS_STRING(key_fields[k]), PyBytes_GET_SIZE(key_fields[k]));
    PyMem_Free(key_fields);
    table_of = 0;
    for (Py_ssize_t i = 0; i < n_distinct; i++) {
        while (sorted[i] >= tables[table_of].base + tables[table_of].n_values) table_of++;
        const int64_t *off = tables[table_of].offsets.buf;
        Py_ssize_t v = sorted[i] - tables[table_of].base;
        put_bytes(&out, PyBytes_AS_STRING(tables[table_of].values) + off[v], off[v + 1] - off[v]);
    }
    put_bytes(&out, "\x28", 1); /* extent */
    put_varint(&out, (uint64_t)extent);
    result = PyBytes_FromStringAndSize((const char *)out.data, out.size);

done:
    release_tables(tables, n_tables);
    PyMem_Free(tables);
    Py_XDECREF(tables_fast);
    Py_XDECREF(key_ids_fast);
    PyMem_Free(geometry.data);
    PyMem_Free(tags.data);
    PyMem_Free(out.data);
    PyMem_Free(pts.xy);
    PyMem_Free(spans);
    PyMem_Free(kept);
    PyMem_Free(tag_spans);
    PyMem_Free(key_column);
    PyMem_Free(next_same);
    PyMem_Free(key_field);
    PyMem_Free(column_table);
    PyMem_Free(column_field);
    PyMem_Free(column_code);
    PyMem_Free(local_key);
    PyMem_Free(cell_key);
    PyMem_Free(cell_value);
    PyMem_Free(cell_value_at);
    PyMem_Free(sorted);
    PyMem_Free(scratch);
    PyBuffer_Release(&name);
    PyBuffer_Release(&ids_view);
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
