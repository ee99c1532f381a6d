/* Declaration-only stand-in for TI DSPLib's DSPLib.h (the subset the MSP430
 * HAL uses), so that `make dsplib-check` can compile the DSPLib path where
 * the library is not installed. Not an implementation. */
#ifndef IPRUNE_DSPLIB_STUB_H_
#define IPRUNE_DSPLIB_STUB_H_

#include <stdint.h>

typedef int16_t _q15;
typedef int32_t _iq31;
typedef enum { MSP_SUCCESS = 0 } msp_status;

typedef struct {
  uint16_t length;
} msp_mac_q15_params;

msp_status msp_mac_q15(const msp_mac_q15_params *params, const _q15 *srcA,
                       const _q15 *srcB, _iq31 *result);

#endif /* IPRUNE_DSPLIB_STUB_H_ */
