"""Reads what an .onnx file declares (opset, graph inputs/outputs with shapes and element types,
operator types) straight from its protobuf encoding, so export can check its own output without the
`onnx` Python package (not installed here).

Field numbers (onnx.proto3): ModelProto{ir_version=1, producer_name=2, graph=7, opset_import=8};
OperatorSetIdProto{domain=1, version=2}; GraphProto{node=1, initializer=5, input=11, output=12};
NodeProto{op_type=4, domain=7}; TensorProto{name=8}; ValueInfoProto{name=1, type=2};
TypeProto{tensor_type=1}; TypeProto.Tensor{elem_type=1, shape=2}; TensorShapeProto{dim=1};
Dimension{dim_value=1, dim_param=2}."""
import struct

ELEM_TYPES = {1: 'float32', 2: 'uint8', 3: 'int8', 5: 'int16', 6: 'int32', 7: 'int64', 9: 'bool',
              10: 'float16', 11: 'float64', 16: 'bfloat16'}


def _varint(buf, pos):
    result = 0
    shift = 0
    while True:
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, pos
        shift += 7


def _fields(buf):
    """Yields (field_number, wire_type, value); value is int for varints/fixed, bytes for length-delimited."""
    pos = 0
    n = len(buf)
    while pos < n:
        key, pos = _varint(buf, pos)
        field, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = _varint(buf, pos)
        elif wire == 1:
            value = struct.unpack_from('<q', buf, pos)[0]
            pos += 8
        elif wire == 2:
            length, pos = _varint(buf, pos)
            value = bytes(buf[pos:pos + length])
            pos += length
        elif wire == 5:
            value = struct.unpack_from('<i', buf, pos)[0]
            pos += 4
        else:
            raise ValueError(f'unsupported protobuf wire type {wire} at byte {pos}')
        yield field, wire, value


def _signed64(v):
    return v - (1 << 64) if v >= 1 << 63 else v


def _value_info(buf):
    name = None
    dtype = None
    shape = None
    for f, _, v in _fields(buf):
        if f == 1:
            name = v.decode('utf-8')
        elif f == 2:
            for tf, _, tv in _fields(v):
                if tf == 1:  # tensor_type
                    for ef, _, ev in _fields(tv):
                        if ef == 1:
                            dtype = ELEM_TYPES.get(ev, f'elem_type_{ev}')
                        elif ef == 2:
                            shape = []
                            for sf, _, sv in _fields(ev):
                                if sf != 1:
                                    continue
                                dim = None
                                for df, _, dv in _fields(sv):
                                    if df == 1:
                                        dim = _signed64(dv)
                                    elif df == 2:
                                        dim = dv.decode('utf-8')
                                shape.append(dim)
    return {'name': name, 'dtype': dtype, 'shape': shape}


def read_onnx(path):
    """{'ir_version', 'producer', 'opsets': {domain: version}, 'inputs', 'outputs', 'ops': sorted op types}."""
    with open(path, 'rb') as f:
        buf = f.read()
    info = {'ir_version': None, 'producer': None, 'opsets': {}, 'inputs': [], 'outputs': [], 'ops': []}
    graph = None
    for f_, _, v in _fields(buf):
        if f_ == 1:
            info['ir_version'] = v
        elif f_ == 2:
            info['producer'] = v.decode('utf-8')
        elif f_ == 7:
            graph = v
        elif f_ == 8:
            domain, version = '', None
            for of, _, ov in _fields(v):
                if of == 1:
                    domain = ov.decode('utf-8')
                elif of == 2:
                    version = ov
            info['opsets'][domain] = version
    if graph is None:
        raise ValueError(f'{path}: no graph in the ONNX model')
    initializers = set()
    inputs = []
    ops = set()
    for f_, _, v in _fields(graph):
        if f_ == 1:
            for nf, _, nv in _fields(v):
                if nf == 4:
                    ops.add(nv.decode('utf-8'))
        elif f_ == 5:
            for tf, _, tv in _fields(v):
                if tf == 8:
                    initializers.add(tv.decode('utf-8'))
        elif f_ == 11:
            inputs.append(_value_info(v))
        elif f_ == 12:
            info['outputs'].append(_value_info(v))
    info['inputs'] = [i for i in inputs if i['name'] not in initializers]
    info['ops'] = sorted(ops)
    return info
