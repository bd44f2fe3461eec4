/* The compiled kernel: the schedule's two loops over float64 arrays.
 *
 * compgraph/kernel.py describes a graph to it as arrays over node positions:
 * an opcode per node (LEAF for inputs and parameters), the positions of its
 * inputs in `a` and `b` (for an add of more than two inputs, ADDN, where in
 * the int32 array `more` its inputs' positions start and how many there are),
 * and for the nodes it cannot compute itself (CUSTOM)
 * the gate's bound forward and backward, called in place with Python floats.
 * The arithmetic of each opcode is the one of its built-in gate on Python
 * floats, operation for operation, so the results are the same bits.
 *
 * Anything the Python engine would treat otherwise (a value that is not a
 * float, a non-finite number, a custom gate returning something else than a
 * float, any exception) makes forward or backward return None: the caller
 * then runs the Python engine, which gives its own results and errors. An
 * exception that is not an Exception (KeyboardInterrupt, SystemExit) is
 * passed on.
 *
 * Gradients remember whether they are Python ints, as the Python engine's do
 * (the output's gradient is the int 1, and an add gate passes it on as it
 * is); an int beyond 2**53, which a double would round, is "unusual".
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <string.h>

enum {
    LEAF, CUSTOM, ADD, SUB, MUL, DIV, MAX, EXP, SIGMOID, TANH, RELU, ADDC, MULC, RECIP, CONST,
    ADDN, N_OPCODES
};

#define EXACT_INT_LIMIT 9007199254740992.0 /* 2**53 */

/* ------------------------------------------------------------------ Values */

typedef struct {
    PyObject_HEAD
    Py_ssize_t n;
    double *v;
    char *leaf;     /* 1 where the node is an input or a parameter */
    PyObject *base; /* the pass's list: the leaves' own objects, None at gates */
} ValuesObject;

static void Values_dealloc(ValuesObject *self) {
    PyMem_Free(self->v);
    PyMem_Free(self->leaf);
    Py_XDECREF(self->base);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static Py_ssize_t Values_len(ValuesObject *self) { return self->n; }

static PyObject *Values_item(ValuesObject *self, Py_ssize_t i) {
    if (i < 0 || i >= self->n) {
        PyErr_SetString(PyExc_IndexError, "position out of range");
        return NULL;
    }
    if (self->leaf[i]) {
        PyObject *item = PyList_GET_ITEM(self->base, i);
        Py_INCREF(item);
        return item;
    }
    return PyFloat_FromDouble(self->v[i]);
}

static int Values_ass_item(ValuesObject *self, Py_ssize_t i, PyObject *value) {
    if (i < 0 || i >= self->n || !self->leaf[i] || value == NULL) {
        PyErr_SetString(PyExc_TypeError, "only a leaf's value can be replaced");
        return -1;
    }
    Py_INCREF(value);
    PyList_SetItem(self->base, i, value);
    return 0;
}

static PyObject *Values_copy(ValuesObject *self, PyObject *unused) {
    /* What the next forward pass starts from: the leaves' values (the gates'
     * are computed anew). */
    return PyList_GetSlice(self->base, 0, PyList_GET_SIZE(self->base));
}

static PyObject *Values_tolist(ValuesObject *self, PyObject *unused) {
    PyObject *list = PyList_New(self->n);
    if (list == NULL) return NULL;
    for (Py_ssize_t i = 0; i < self->n; i++) {
        PyObject *item = Values_item(self, i);
        if (item == NULL) {
            Py_DECREF(list);
            return NULL;
        }
        PyList_SET_ITEM(list, i, item);
    }
    return list;
}

static PyObject *Values_deepcopy(ValuesObject *self, PyObject *memo) {
    return Values_tolist(self, NULL);
}

static PyMethodDef Values_methods[] = {
    {"copy", (PyCFunction)Values_copy, METH_NOARGS,
     "The leaves' values as a list, None at the gates (what a pass starts from)."},
    {"tolist", (PyCFunction)Values_tolist, METH_NOARGS, "Every value, as a list."},
    {"__deepcopy__", (PyCFunction)Values_deepcopy, METH_O, "Every value, as a list."},
    {NULL, NULL, 0, NULL},
};

static PySequenceMethods Values_as_sequence = {
    .sq_length = (lenfunc)Values_len,
    .sq_item = (ssizeargfunc)Values_item,
    .sq_ass_item = (ssizeobjargproc)Values_ass_item,
};

static PyTypeObject ValuesType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "compgraph._kernel.Values",
    .tp_doc = "The values of a compiled forward pass, by node position.",
    .tp_basicsize = sizeof(ValuesObject),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_dealloc = (destructor)Values_dealloc,
    .tp_as_sequence = &Values_as_sequence,
    .tp_methods = Values_methods,
};

/* ------------------------------------------------------------------- Grads */

typedef struct {
    PyObject_HEAD
    Py_ssize_t n;
    double *g;
    char *is_int; /* 1 where the Python engine's gradient would be an int */
} GradsObject;

static void Grads_dealloc(GradsObject *self) {
    PyMem_Free(self->g);
    PyMem_Free(self->is_int);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static Py_ssize_t Grads_len(GradsObject *self) { return self->n; }

static PyObject *Grads_item(GradsObject *self, Py_ssize_t i) {
    if (i < 0 || i >= self->n) {
        PyErr_SetString(PyExc_IndexError, "position out of range");
        return NULL;
    }
    if (self->is_int[i]) return PyLong_FromDouble(self->g[i]);
    return PyFloat_FromDouble(self->g[i]);
}

static PyObject *Grads_tolist(GradsObject *self, PyObject *unused) {
    PyObject *list = PyList_New(self->n);
    if (list == NULL) return NULL;
    for (Py_ssize_t i = 0; i < self->n; i++) {
        PyObject *item = Grads_item(self, i);
        if (item == NULL) {
            Py_DECREF(list);
            return NULL;
        }
        PyList_SET_ITEM(list, i, item);
    }
    return list;
}

static PyObject *Grads_deepcopy(GradsObject *self, PyObject *memo) {
    return Grads_tolist(self, NULL);
}

static PyMethodDef Grads_methods[] = {
    {"tolist", (PyCFunction)Grads_tolist, METH_NOARGS, "Every gradient, as a list."},
    {"__deepcopy__", (PyCFunction)Grads_deepcopy, METH_O, "Every gradient, as a list."},
    {NULL, NULL, 0, NULL},
};

static PySequenceMethods Grads_as_sequence = {
    .sq_length = (lenfunc)Grads_len,
    .sq_item = (ssizeargfunc)Grads_item,
};

static PyTypeObject GradsType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "compgraph._kernel.Grads",
    .tp_doc = "The gradients of a compiled backward pass, by node position (read-only).",
    .tp_basicsize = sizeof(GradsObject),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_dealloc = (destructor)Grads_dealloc,
    .tp_as_sequence = &Grads_as_sequence,
    .tp_methods = Grads_methods,
};

/* ------------------------------------------------------------ the schedule */

typedef struct {
    Py_buffer ops, a, b, more;
    Py_ssize_t n;
    PyObject *customs; /* list of (forward, backward, tuple of input positions) */
    PyObject *consts;  /* list of the gates whose constant `c` an opcode reads */
} Program;

static void program_release(Program *p) {
    if (p->ops.obj) PyBuffer_Release(&p->ops);
    if (p->a.obj) PyBuffer_Release(&p->a);
    if (p->b.obj) PyBuffer_Release(&p->b);
    if (p->more.obj) PyBuffer_Release(&p->more);
}

static int program_get(Program *p, PyObject *ops, PyObject *a, PyObject *b, PyObject *customs,
                       PyObject *consts, PyObject *more) {
    memset(p, 0, sizeof(*p));
    if (PyObject_GetBuffer(ops, &p->ops, PyBUF_SIMPLE) < 0) return -1;
    if (PyObject_GetBuffer(a, &p->a, PyBUF_SIMPLE) < 0 ||
        PyObject_GetBuffer(b, &p->b, PyBUF_SIMPLE) < 0 ||
        PyObject_GetBuffer(more, &p->more, PyBUF_SIMPLE) < 0) {
        program_release(p);
        return -1;
    }
    p->n = p->ops.len;
    if (p->a.len != p->n * 4 || p->b.len != p->n * 4 || p->more.len % 4 != 0 ||
        !PyList_Check(customs) || !PyList_Check(consts)) {
        program_release(p);
        PyErr_SetString(PyExc_ValueError, "a program needs ops, and int32 a and b of one length");
        return -1;
    }
    p->customs = customs;
    p->consts = consts;
    return 0;
}

/* Clear an Exception (the caller falls back to Python) and give 0; leave any
 * other exception set and give -1. */
static int fall_back(void) {
    if (PyErr_Occurred() && !PyErr_ExceptionMatches(PyExc_Exception)) return -1;
    PyErr_Clear();
    return 0;
}

/* A gate's constant `c` as a double, and whether it is an int; 0 if it is
 * neither a float nor an int a double holds exactly. */
static int read_constant(PyObject *gate, double *c, int *is_int) {
    PyObject *value = PyObject_GetAttrString(gate, "c");
    if (value == NULL) return 0;
    int ok = 1;
    if (PyFloat_CheckExact(value)) {
        *c = PyFloat_AS_DOUBLE(value);
        *is_int = 0;
    } else if (PyLong_CheckExact(value)) {
        int overflow = 0;
        long long whole = PyLong_AsLongLongAndOverflow(value, &overflow);
        ok = !overflow && (double)llabs(whole) <= EXACT_INT_LIMIT;
        *c = (double)whole;
        *is_int = 1;
    } else {
        ok = 0;
    }
    Py_DECREF(value);
    return ok && isfinite(*c);
}

static PyObject *call_custom(PyObject *method, PyObject **args, Py_ssize_t nargs) {
    return PyObject_Vectorcall(method, args, nargs, NULL);
}

#define MAX_STACK_ARGS 8

static PyObject *kernel_forward(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 7 || !PyList_CheckExact(args[5])) {
        PyErr_SetString(PyExc_TypeError, "forward(ops, a, b, customs, consts, values: list, more)");
        return NULL;
    }
    Program p;
    if (program_get(&p, args[0], args[1], args[2], args[3], args[4], args[6]) < 0) return NULL;
    PyObject *values = args[5];
    Py_ssize_t n = p.n;
    if (PyList_GET_SIZE(values) != n) {
        program_release(&p);
        PyErr_SetString(PyExc_ValueError, "values and ops differ in length");
        return NULL;
    }
    const unsigned char *ops = p.ops.buf;
    const int *ia = p.a.buf, *ib = p.b.buf;
    ValuesObject *out = PyObject_New(ValuesObject, &ValuesType);
    if (out == NULL) {
        program_release(&p);
        return NULL;
    }
    out->n = n;
    out->v = PyMem_Malloc((n ? n : 1) * sizeof(double));
    out->leaf = PyMem_Malloc(n ? n : 1);
    Py_INCREF(values);
    out->base = values;
    if (out->v == NULL || out->leaf == NULL) {
        Py_DECREF(out);
        program_release(&p);
        return PyErr_NoMemory();
    }
    double *v = out->v;
    double check = 0.0; /* nan once any value is not finite */
    int failed = 0;
    for (Py_ssize_t i = 0; i < n && !failed; i++) {
        unsigned char op = ops[i];
        out->leaf[i] = op == LEAF;
        double x, y, c;
        int c_is_int;
        switch (op) {
        case LEAF: {
            PyObject *item = PyList_GET_ITEM(values, i);
            if (!PyFloat_CheckExact(item)) {
                failed = 1;
                break;
            }
            v[i] = PyFloat_AS_DOUBLE(item);
            break;
        }
        case ADD: v[i] = v[ia[i]] + v[ib[i]]; break;
        case ADDN: { /* as AddGate.forward: the terms added in turn */
            const int *m = (const int *)p.more.buf + ia[i];
            double sum = v[m[0]] + v[m[1]];
            for (int k = 2; k < ib[i]; k++) sum = sum + v[m[k]];
            v[i] = sum;
            break;
        }
        case SUB: v[i] = v[ia[i]] - v[ib[i]]; break;
        case MUL: v[i] = v[ia[i]] * v[ib[i]]; break;
        case DIV:
            y = v[ib[i]];
            if (y == 0.0) failed = 1; /* Python's ZeroDivisionError route */
            else v[i] = v[ia[i]] / y;
            break;
        case MAX:
            x = v[ia[i]];
            y = v[ib[i]];
            v[i] = (x >= y || x != x) ? x : y;
            break;
        case EXP: v[i] = exp(v[ia[i]]); break;
        case SIGMOID:
            x = v[ia[i]];
            if (x >= 0) {
                v[i] = 1.0 / (1.0 + exp(-x));
            } else {
                double e = exp(x);
                v[i] = e / (1.0 + e);
            }
            break;
        case TANH: v[i] = tanh(v[ia[i]]); break;
        case RELU:
            x = v[ia[i]];
            v[i] = (x > 0 || x != x) ? x : 0.0;
            break;
        case ADDC:
            if (!read_constant(PyList_GET_ITEM(p.consts, ib[i]), &c, &c_is_int)) failed = 1;
            else v[i] = v[ia[i]] + c;
            break;
        case MULC:
            if (!read_constant(PyList_GET_ITEM(p.consts, ib[i]), &c, &c_is_int)) failed = 1;
            else v[i] = c * v[ia[i]];
            break;
        case RECIP:
            x = v[ia[i]];
            if (x == 0.0) failed = 1;
            else v[i] = 1.0 / x;
            break;
        case CONST:
            if (!read_constant(PyList_GET_ITEM(p.consts, ib[i]), &c, &c_is_int) || c_is_int)
                failed = 1;
            else v[i] = c;
            break;
        case CUSTOM: {
            PyObject *entry = PyList_GET_ITEM(p.customs, ia[i]);
            PyObject *inputs = PyTuple_GET_ITEM(entry, 2);
            Py_ssize_t count = PyTuple_GET_SIZE(inputs);
            PyObject *stack[MAX_STACK_ARGS];
            PyObject **call_args = count <= MAX_STACK_ARGS
                                       ? stack
                                       : PyMem_Malloc(count * sizeof(PyObject *));
            if (call_args == NULL) {
                failed = 1;
                break;
            }
            Py_ssize_t made = 0;
            for (; made < count; made++) {
                Py_ssize_t at = PyLong_AsSsize_t(PyTuple_GET_ITEM(inputs, made));
                call_args[made] = PyFloat_FromDouble(v[at]);
                if (call_args[made] == NULL) break;
            }
            PyObject *result = made == count
                                   ? call_custom(PyTuple_GET_ITEM(entry, 0), call_args, count)
                                   : NULL;
            for (Py_ssize_t k = 0; k < made; k++) Py_DECREF(call_args[k]);
            if (call_args != stack) PyMem_Free(call_args);
            if (result == NULL) {
                failed = 1;
                break;
            }
            if (PyFloat_CheckExact(result)) v[i] = PyFloat_AS_DOUBLE(result);
            else failed = 1;
            Py_DECREF(result);
            break;
        }
        default:
            failed = 1;
        }
        if (!failed) check += v[i] * 0.0;
    }
    program_release(&p);
    if (failed || check != 0.0) {
        Py_DECREF(out);
        if (fall_back() < 0) return NULL;
        Py_RETURN_NONE;
    }
    return (PyObject *)out;
}

/* grads[at] += d, remembering whether both were ints; 0 if an int sum
 * leaves what a double holds exactly. */
static inline int accumulate(double *g, char *is_int, Py_ssize_t at, double d, int d_is_int) {
    g[at] = g[at] + d;
    is_int[at] &= (char)d_is_int;
    if (!is_int[at]) return 1;
    g[at] += 0.0; /* an int has no sign of zero */
    return fabs(g[at]) <= EXACT_INT_LIMIT;
}

/* A gradient a custom gate returned: a float, or an int a double holds. */
static int read_gradient(PyObject *item, double *d, int *d_is_int) {
    if (PyFloat_CheckExact(item)) {
        *d = PyFloat_AS_DOUBLE(item);
        *d_is_int = 0;
        return 1;
    }
    if (PyLong_CheckExact(item)) {
        int overflow = 0;
        long long whole = PyLong_AsLongLongAndOverflow(item, &overflow);
        if (overflow || (double)llabs(whole) > EXACT_INT_LIMIT) return 0;
        *d = (double)whole;
        *d_is_int = 1;
        return 1;
    }
    return 0;
}

static PyObject *kernel_backward(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 9 || !PyObject_TypeCheck(args[5], &ValuesType)) {
        PyErr_SetString(PyExc_TypeError,
                        "backward(ops, a, b, customs, consts, values: Values, output, dout, more)");
        return NULL;
    }
    Py_ssize_t output = PyLong_AsSsize_t(args[6]);
    if (output == -1 && PyErr_Occurred()) return NULL;
    double dout;
    int dout_is_int;
    if (!read_gradient(args[7], &dout, &dout_is_int) || !isfinite(dout)) Py_RETURN_NONE;
    Program p;
    if (program_get(&p, args[0], args[1], args[2], args[3], args[4], args[8]) < 0) return NULL;
    ValuesObject *values = (ValuesObject *)args[5];
    Py_ssize_t n = p.n;
    if (values->n != n || output < 0 || output >= n) {
        program_release(&p);
        PyErr_SetString(PyExc_ValueError, "values, ops and output do not fit");
        return NULL;
    }
    const unsigned char *ops = p.ops.buf;
    const int *ia = p.a.buf, *ib = p.b.buf;
    const double *v = values->v;
    GradsObject *out = PyObject_New(GradsObject, &GradsType);
    if (out == NULL) {
        program_release(&p);
        return NULL;
    }
    out->n = n;
    out->g = PyMem_Calloc(n ? n : 1, sizeof(double));
    out->is_int = PyMem_Malloc(n ? n : 1);
    if (out->g == NULL || out->is_int == NULL) {
        Py_DECREF(out);
        program_release(&p);
        return PyErr_NoMemory();
    }
    double *g = out->g;
    char *is_int = out->is_int;
    memset(is_int, 1, n); /* every gradient starts as the int 0 */
    g[output] = dout;
    is_int[output] = (char)dout_is_int;
    int ok = 1;
    for (Py_ssize_t i = n - 1; i >= 0 && ok; i--) {
        unsigned char op = ops[i];
        if (op == LEAF) continue;
        double dz = g[i], x, y, z, c;
        int dz_int = is_int[i], c_is_int;
        Py_ssize_t a = ia[i], b = ib[i];
        switch (op) {
        case ADD:
            ok = accumulate(g, is_int, a, dz, dz_int) && accumulate(g, is_int, b, dz, dz_int);
            break;
        case ADDN: {
            const int *m = (const int *)p.more.buf + a;
            for (Py_ssize_t k = 0; k < b && ok; k++) ok = accumulate(g, is_int, m[k], dz, dz_int);
            break;
        }
        case SUB:
            ok = accumulate(g, is_int, a, dz, dz_int) && accumulate(g, is_int, b, -dz, dz_int);
            break;
        case MUL:
            x = v[a];
            y = v[b];
            accumulate(g, is_int, a, y * dz, 0);
            accumulate(g, is_int, b, x * dz, 0);
            break;
        case DIV:
            y = v[b];
            z = v[i];
            accumulate(g, is_int, a, dz / y, 0);
            accumulate(g, is_int, b, -((dz * z) / y), 0);
            break;
        case MAX:
            x = v[a];
            y = v[b];
            if (x >= y || x != x) {
                ok = accumulate(g, is_int, a, dz, dz_int) && accumulate(g, is_int, b, 0.0, dz_int);
            } else {
                ok = accumulate(g, is_int, a, 0.0, dz_int) && accumulate(g, is_int, b, dz, dz_int);
            }
            break;
        case EXP: accumulate(g, is_int, a, v[i] * dz, 0); break;
        case SIGMOID:
            z = v[i];
            accumulate(g, is_int, a, (1.0 - z) * z * dz, 0);
            break;
        case TANH:
            z = v[i];
            accumulate(g, is_int, a, (1.0 - z * z) * dz, 0);
            break;
        case RELU:
            x = v[a];
            ok = accumulate(g, is_int, a, (x > 0 || x != x) ? dz : 0.0, dz_int);
            break;
        case ADDC: ok = accumulate(g, is_int, a, dz, dz_int); break;
        case MULC:
            if (!read_constant(PyList_GET_ITEM(p.consts, b), &c, &c_is_int)) ok = 0;
            else ok = accumulate(g, is_int, a, c * dz, c_is_int && dz_int);
            break;
        case RECIP:
            x = v[a];
            accumulate(g, is_int, a, -((dz / x) / x), 0);
            break;
        case CONST: break;
        case CUSTOM: {
            PyObject *entry = PyList_GET_ITEM(p.customs, a);
            PyObject *inputs = PyTuple_GET_ITEM(entry, 2);
            Py_ssize_t count = PyTuple_GET_SIZE(inputs);
            PyObject *dz_obj = dz_int ? PyLong_FromDouble(dz) : PyFloat_FromDouble(dz);
            if (dz_obj == NULL) {
                ok = 0;
                break;
            }
            PyObject *local = call_custom(PyTuple_GET_ITEM(entry, 1), &dz_obj, 1);
            Py_DECREF(dz_obj);
            if (local == NULL || !(PyList_CheckExact(local) || PyTuple_CheckExact(local)) ||
                PySequence_Fast_GET_SIZE(local) != count) {
                Py_XDECREF(local);
                ok = 0;
                break;
            }
            for (Py_ssize_t k = 0; k < count && ok; k++) {
                double d;
                int d_is_int;
                Py_ssize_t at = PyLong_AsSsize_t(PyTuple_GET_ITEM(inputs, k));
                ok = read_gradient(PySequence_Fast_GET_ITEM(local, k), &d, &d_is_int) &&
                     accumulate(g, is_int, at, d, d_is_int);
            }
            Py_DECREF(local);
            break;
        }
        default:
            ok = 0;
        }
    }
    program_release(&p);
    if (ok) {
        double check = 0.0;
        for (Py_ssize_t i = 0; i < n; i++) check += g[i] * 0.0;
        ok = check == 0.0;
    }
    if (!ok) {
        Py_DECREF(out);
        if (fall_back() < 0) return NULL;
        Py_RETURN_NONE;
    }
    return (PyObject *)out;
}

/* feed(values, feeds, index, kinds, input_kind) puts each fed value at its
 * input's position in the list `values`, and gives True; or False as soon as
 * a name is not a node of `index`, its kind in `kinds` is not `input_kind`,
 * or its value is not exactly a float or an int: the Python engine's feeding
 * then runs and gives its message. Whether every input was fed is the
 * caller's check. */
static PyObject *kernel_feed(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 5 || !PyList_CheckExact(args[0]) || !PyDict_CheckExact(args[1]) ||
        !PyDict_CheckExact(args[2]) || !PyList_CheckExact(args[3])) {
        PyErr_SetString(PyExc_TypeError,
                        "feed(values: list, feeds: dict, index: dict, kinds: list, input_kind)");
        return NULL;
    }
    PyObject *values = args[0], *feeds = args[1], *index = args[2], *kinds = args[3];
    PyObject *input_kind = args[4];
    Py_ssize_t at = 0;
    PyObject *name, *value;
    while (PyDict_Next(feeds, &at, &name, &value)) {
        if (!PyUnicode_CheckExact(name) ||
            !(PyFloat_CheckExact(value) || PyLong_CheckExact(value))) Py_RETURN_FALSE;
        PyObject *found = PyDict_GetItemWithError(index, name);
        if (found == NULL) {
            if (PyErr_Occurred()) return NULL;
            Py_RETURN_FALSE;
        }
        Py_ssize_t position = PyLong_AsSsize_t(found);
        if (position == -1 && PyErr_Occurred()) return NULL;
        if (position < 0 || position >= PyList_GET_SIZE(values) ||
            position >= PyList_GET_SIZE(kinds)) Py_RETURN_FALSE;
        PyObject *kind = PyList_GET_ITEM(kinds, position);
        if (kind != input_kind) {
            int same = PyObject_RichCompareBool(kind, input_kind, Py_EQ);
            if (same < 0) return NULL;
            if (!same) Py_RETURN_FALSE;
        }
        Py_INCREF(value);
        PyObject *previous = PyList_GET_ITEM(values, position);
        PyList_SET_ITEM(values, position, value);
        Py_XDECREF(previous);
    }
    Py_RETURN_TRUE;
}

/* positions(index, inputs, start, consumed) is, for each gate k of a batch
 * whose first gate goes to position `start`, the tuple of its inputs'
 * positions (the index's own int objects), each marked 1 in the bytearray
 * `consumed`; or None as soon as an entry of `inputs` is not a list or tuple
 * of str, a name is not in `index`, or an input is not a node before its
 * gate: the caller then checks the batch in Python, and words the fault. */
static PyObject *kernel_positions(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 4 || !PyDict_CheckExact(args[0]) || !PyList_CheckExact(args[1]) ||
        !PyByteArray_CheckExact(args[3])) {
        PyErr_SetString(PyExc_TypeError,
                        "positions(index: dict, inputs: list, start: int, consumed: bytearray)");
        return NULL;
    }
    PyObject *index = args[0], *inputs = args[1];
    Py_ssize_t start = PyLong_AsSsize_t(args[2]);
    if (start == -1 && PyErr_Occurred()) return NULL;
    Py_ssize_t count = PyList_GET_SIZE(inputs);
    char *consumed = PyByteArray_AS_STRING(args[3]);
    if (PyByteArray_GET_SIZE(args[3]) < start + count) {
        PyErr_SetString(PyExc_ValueError, "consumed holds fewer bytes than the nodes");
        return NULL;
    }
    PyObject *result = PyList_New(count);
    if (result == NULL) return NULL;
    for (Py_ssize_t k = 0; k < count; k++) {
        PyObject *names = PyList_GET_ITEM(inputs, k);
        if (!PyList_CheckExact(names) && !PyTuple_CheckExact(names)) goto irregular;
        Py_ssize_t size = PySequence_Fast_GET_SIZE(names);
        PyObject *positions = PyTuple_New(size);
        if (positions == NULL) goto error;
        PyList_SET_ITEM(result, k, positions);
        for (Py_ssize_t j = 0; j < size; j++) {
            PyObject *name = PySequence_Fast_GET_ITEM(names, j);
            if (!PyUnicode_CheckExact(name)) goto irregular;
            PyObject *found = PyDict_GetItemWithError(index, name);
            if (found == NULL) {
                if (PyErr_Occurred()) goto error;
                goto irregular;
            }
            Py_ssize_t position = PyLong_AsSsize_t(found);
            if (position == -1 && PyErr_Occurred()) goto error;
            if (position < 0 || position >= start + k) goto irregular;
            consumed[position] = 1;
            Py_INCREF(found);
            PyTuple_SET_ITEM(positions, j, found);
        }
        /* A tuple of ints holds no reference cycle: the collector need not
         * walk it (CPython untracks such tuples itself, at its next walk). */
        PyObject_GC_UnTrack(positions);
    }
    return result;
irregular:
    Py_DECREF(result);
    Py_RETURN_NONE;
error:
    Py_DECREF(result);
    return NULL;
}

static PyMethodDef kernel_methods[] = {
    {"forward", (PyCFunction)(void (*)(void))kernel_forward, METH_FASTCALL,
     "forward(ops, a, b, customs, consts, values, more) -> Values, or None to run the Python "
     "engine"},
    {"backward", (PyCFunction)(void (*)(void))kernel_backward, METH_FASTCALL,
     "backward(ops, a, b, customs, consts, values, output, dout, more) -> Grads, or None to run "
     "the Python engine"},
    {"feed", (PyCFunction)(void (*)(void))kernel_feed, METH_FASTCALL,
     "feed(values, feeds, index, kinds, input_kind) -> True once each fed float or int is "
     "placed, or False to feed in Python"},
    {"positions", (PyCFunction)(void (*)(void))kernel_positions, METH_FASTCALL,
     "positions(index, inputs, start, consumed) -> each gate's tuple of input positions, or "
     "None to check them in Python"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef kernel_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "compgraph._kernel",
    .m_doc = "The compiled kernel of compgraph's passes over Python floats (see kernel.py).",
    .m_size = -1,
    .m_methods = kernel_methods,
};

PyMODINIT_FUNC PyInit__kernel(void) {
    if (PyType_Ready(&ValuesType) < 0 || PyType_Ready(&GradsType) < 0) return NULL;
    PyObject *module = PyModule_Create(&kernel_module);
    if (module == NULL) return NULL;
    Py_INCREF(&ValuesType);
    Py_INCREF(&GradsType);
    if (PyModule_AddObject(module, "Values", (PyObject *)&ValuesType) < 0 ||
        PyModule_AddObject(module, "Grads", (PyObject *)&GradsType) < 0 ||
        PyModule_AddIntConstant(module, "N_OPCODES", N_OPCODES) < 0) {
        Py_DECREF(module);
        return NULL;
    }
    return module;
}
