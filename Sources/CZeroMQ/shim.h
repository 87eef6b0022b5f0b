#ifndef NEUROBUS_CZEROMQ_SHIM_H
#define NEUROBUS_CZEROMQ_SHIM_H
#include <zmq.h>
#endif
