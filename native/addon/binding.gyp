{
  "targets": [
    {
      "target_name": "fd_addon",
      "sources": ["fd_addon.c"],
      "cflags!": ["-fno-strict-aliasing"],
      "cflags": ["-O3", "-march=native", "-ffp-contract=off", "-std=c11"],
      "xcode_settings": {
        "OTHER_CFLAGS": ["-O3", "-march=native", "-ffp-contract=off"]
      },
      "msvs_settings": {
        "VCCLCompilerTool": { "Optimization": 2, "AdditionalOptions": ["/arch:AVX2", "/fp:precise"] }
      },
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
