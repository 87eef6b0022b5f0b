#ifndef NEUROBUS_CZLIB_SHIM_H
#define NEUROBUS_CZLIB_SHIM_H
#include <zlib.h>
#endif
