/*
 * N-API addon running the FD kernel of ../fd_kernel.c natively (node_api.h only, ABI-stable
 * across Node and Electron). Built by scripts/build-native.mjs (node-gyp) with -O3 -march=native.
 * runShot(parameters: Int32Array, alpha, kappaX, zMask, kappaZ, pmlAx, pmlBx, pmlAz, pmlBz,
 *         amplitude: Float32Array, receiverIndex: Int32Array, seismic, snapshots: Float32Array): undefined
 * runs synchronously on the calling thread (a worker of FdWorkerPool).
 */
#if defined(__AVX512F__)
#define FD_VEC_BYTES 64
#elif defined(__AVX__)
#define FD_VEC_BYTES 32
#else
#define FD_VEC_BYTES 16
#endif
#include "../fd_kernel.c"

#include <node_api.h>
#include <stdlib.h>
#include <string.h>

#define PARAMETER_COUNT 14
#define ARGUMENT_COUNT 13

static napi_value throw_error(napi_env env, const char *message) {
  napi_throw_error(env, "ERR_FD_NATIVE", message);
  return NULL;
}

/* The data of a typed array argument of the expected type, with its length in elements. */
static int typed_array(napi_env env, napi_value value, napi_typedarray_type expected, void **data, size_t *length) {
  bool is_typed = false;
  if (napi_is_typedarray(env, value, &is_typed) != napi_ok || !is_typed) return 0;
  napi_typedarray_type type;
  napi_value buffer;
  size_t offset;
  if (napi_get_typedarray_info(env, value, &type, length, data, &buffer, &offset) != napi_ok) return 0;
  return type == expected;
}

static napi_value run_shot(napi_env env, napi_callback_info info) {
  size_t argc = ARGUMENT_COUNT;
  napi_value argv[ARGUMENT_COUNT];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != ARGUMENT_COUNT) {
    return throw_error(env, "runShot expects 13 typed arrays");
  }
  void *data[ARGUMENT_COUNT];
  size_t length[ARGUMENT_COUNT];
  static const napi_typedarray_type types[ARGUMENT_COUNT] = {
      napi_int32_array,   napi_float32_array, napi_float32_array, napi_float32_array, napi_float32_array,
      napi_float32_array, napi_float32_array, napi_float32_array, napi_float32_array, napi_float32_array,
      napi_int32_array,   napi_float32_array, napi_float32_array};
  for (int i = 0; i < ARGUMENT_COUNT; i++) {
    if (!typed_array(env, argv[i], types[i], &data[i], &length[i])) return throw_error(env, "runShot: argument of the wrong type");
  }
  if (length[0] != PARAMETER_COUNT) return throw_error(env, "runShot: expected 14 integer parameters");
  const int32_t *q = (const int32_t *)data[0];
  const int nz_pad = q[0], nx_pad = q[1], steps = q[3], record_every = q[4], snapshot_every = q[5];
  const int nz = q[8], nx = q[9], receivers = q[12], pml = q[13];
  if (nz_pad < 3 || nx_pad < 3 || steps < 1 || record_every < 1 || snapshot_every < 0 || receivers < 0) {
    return throw_error(env, "runShot: invalid grid or step parameters");
  }
  const size_t frames = snapshot_every > 0 ? (size_t)(steps + snapshot_every - 1) / snapshot_every : 0;
  const size_t times = (size_t)(steps + record_every - 1) / record_every;
  const size_t pml_x = pml ? (size_t)nx_pad : 0, pml_z = pml ? (size_t)nz_pad : 0;
  if (length[1] != (size_t)nz_pad * nx_pad || length[2] != (size_t)nx_pad || length[3] != (size_t)nx_pad ||
      length[4] != (size_t)nz_pad || length[5] != pml_x || length[6] != pml_x || length[7] != pml_z ||
      length[8] != pml_z || length[9] < (size_t)steps || length[10] != (size_t)receivers ||
      length[11] != times * receivers || length[12] != frames * nz * nx) {
    return throw_error(env, "runShot: an array's length does not match the parameters");
  }
  const int32_t *receiver_index = (const int32_t *)data[10];
  for (int r = 0; r < receivers; r++) {
    if (receiver_index[r] < 0 || (size_t)receiver_index[r] >= (size_t)nz_pad * nx_pad) {
      return throw_error(env, "runShot: receiver index outside the padded grid");
    }
  }
  if (q[10] < 0 || q[10] >= nz_pad || q[11] < 0 || q[11] >= nx_pad) return throw_error(env, "runShot: source outside the padded grid");

  const size_t bytes = ((fd_workspace_floats(nz_pad, nx_pad, pml) * sizeof(float)) + 63) & ~(size_t)63;
  float *workspace = aligned_alloc(64, bytes);
  if (!workspace) return throw_error(env, "runShot: out of memory for the FD workspace");
  const float *const *f = (const float *const *)data;
  const int status = fd_run_shot(nz_pad, nx_pad, q[2], steps, record_every, snapshot_every, q[6], q[7], nz, nx, q[10],
                                 q[11], receivers, pml, f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8], f[9],
                                 receiver_index, workspace, (float *)data[11], (float *)data[12]);
  free(workspace);
  if (status != 0) return throw_error(env, "runShot: the FD kernel rejected the parameters");
  return NULL;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_value fn, width;
  napi_create_function(env, "runShot", NAPI_AUTO_LENGTH, run_shot, NULL, &fn);
  napi_set_named_property(env, exports, "runShot", fn);
  napi_create_int32(env, FD_VW, &width);
  napi_set_named_property(env, exports, "vectorFloats", width);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
