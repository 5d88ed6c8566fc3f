// CHECK for the fuzz targets: a broken property aborts, which libFuzzer reports as a crash and
// keeps the input of. (Not assert: it must hold in every build type.)
#pragma once
#include <cstdio>
#include <cstdlib>

#define CHECK(c)                                                                   \
  do {                                                                             \
    if (!(c)) {                                                                    \
      std::fprintf(stderr, "property failed: %s:%d: %s\n", __FILE__, __LINE__, #c); \
      std::abort();                                                                \
    }                                                                              \
  } while (0)
