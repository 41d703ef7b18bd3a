{
  # CPU-only build of the addon for machines without cmake (scripts/install.js falls back to it).
  # "sources" must list the same CPU files as TN_CPU_SOURCES in CMakeLists.txt (a test checks).
  "targets": [
    {
      "target_name": "tensornode",
      "sources": [
        "native/core/registry.cc",
        "native/core/plan.cc",
        "native/cpu/cpu_backend.cc",
        "native/cpu/parallel.cc",
        "native/cpu/matmul.cc",
        "native/cpu/gemm_avx512.cc",
        "native/cpu/gemm_avx2.cc",
        "native/cpu/gemm_generic.cc",
        "native/cpu/elementwise.cc",
        "native/cpu/reduce.cc",
        "native/cpu/softmax.cc",
        "native/cpu/copy_fill.cc",
        "native/cpu/random.cc",
        "native/addon/module.cc",
        "native/addon/descriptors.cc",
        "native/addon/ops_binding.cc",
        "native/addon/memory_binding.cc",
        "native/addon/plan_binding.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti"],
      "cflags_cc": ["-std=c++17", "-O3", "-fopenmp"],
      "ldflags": ["-fopenmp"],
      "xcode_settings": {
        "GCC_ENABLE_CPP_EXCEPTIONS": "YES",
        "OTHER_CPLUSPLUSFLAGS": ["-std=c++17", "-O3"]
      }
    }
  ]
}
