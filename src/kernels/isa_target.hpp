// Compiling one region of a translation unit for a given ISA. Kernels for AVX2 and AVX-512 live in
// ordinary translation units built with the baseline flags; only the code between BEGIN and END
// is compiled for the wider ISA. Whole-file -m flags would be unsafe: inline functions from
// shared headers (std::vector, fmt) instantiated in such a file could be the copy the linker
// keeps, and would then crash CPUs without the ISA. Include every header before BEGIN.
#pragma once

#if defined(__clang__)
#define STRIDER_ISA_BEGIN_AVX2 \
  _Pragma("clang attribute push(__attribute__((target(\"avx2,fma\"))), apply_to = function)")
#define STRIDER_ISA_BEGIN_AVX512 \
  _Pragma(                       \
      "clang attribute push(__attribute__((target(\"avx512f,avx2,fma\"))), apply_to = function)")
#define STRIDER_ISA_END _Pragma("clang attribute pop")
#else
// GCC 12's AVX-512 intrinsics pass _mm512_undefined_ps() as an unused merge source and then
// warn that it is (maybe) uninitialized; the value is never read, so those two warnings are off
// inside ISA regions.
#define STRIDER_ISA_DIAGNOSTICS                                                        \
  _Pragma("GCC diagnostic push") _Pragma("GCC diagnostic ignored \"-Wuninitialized\"") \
      _Pragma("GCC diagnostic ignored \"-Wmaybe-uninitialized\"")
#define STRIDER_ISA_BEGIN_AVX2 \
  _Pragma("GCC push_options") _Pragma("GCC target(\"avx2,fma\")") STRIDER_ISA_DIAGNOSTICS
#define STRIDER_ISA_BEGIN_AVX512 \
  _Pragma("GCC push_options") _Pragma("GCC target(\"avx512f,avx2,fma\")") STRIDER_ISA_DIAGNOSTICS
#define STRIDER_ISA_END _Pragma("GCC diagnostic pop") _Pragma("GCC pop_options")
#endif
