/* Hardware abstraction layer: NVM, VM, DMA and LEA.
 *
 * The engine touches memory and the accelerator only through these calls,
 * so that the host simulator (hal/hal_sim.c) can charge every operation the
 * target's cost table and inject power failures, and the MSP430 build
 * (hal/hal_msp430.c) can map them to FRAM, SRAM, DMA and the LEA.
 *
 * NVM holds the model image (read-only) and the state region (footprints,
 * partial sums, tensors); VM is everything else and is lost at a power
 * failure. A call may not return: on the simulator a power failure unwinds
 * to the boot loop.
 */
#ifndef IPRUNE_HAL_H_
#define IPRUNE_HAL_H_

#include <stdint.h>

typedef enum {
  IPRUNE_CPU_ADD = 0,
  IPRUNE_CPU_MUL = 1,
  IPRUNE_CPU_DIV = 2,
  IPRUNE_CPU_MAX = 3
} iprune_cpu_op_t;

/* The writable NVM state region (model->state_words words). */
int16_t *iprune_hal_nvm_state(void);

/* The VM arena the engine carves its buffers from; *bytes gets its size. */
void *iprune_hal_vm(uint32_t *bytes);

/* The LEA RAM (operand buffer of accelerator operations); *words its size. */
int16_t *iprune_hal_lea_ram(uint16_t *words);

/* One DMA transfer NVM -> VM of `words` Q15 words. */
void iprune_hal_nvm_read(void *vm_dst, const void *nvm_src, uint16_t words);

/* One DMA transfer VM -> NVM; bytes are written in ascending order, so a
 * power failure tears the write at a byte boundary. */
void iprune_hal_nvm_write(void *nvm_dst, const void *vm_src, uint16_t words);

/* One LEA matrix multiply: out (rows x cols) =
 *   sat16(rshift_round(a (rows x inner) * b (inner x cols), shift)),
 * all row-major in LEA RAM, products summed exactly. Costs rows*inner*cols
 * elements. */
void iprune_hal_lea_matmul(const int16_t *a, const int16_t *b, int16_t *out,
                           uint16_t rows, uint16_t inner, uint16_t cols,
                           int16_t shift);

/* One LEA element-wise multiply of n elements, same rounding. */
void iprune_hal_lea_mul(const int16_t *a, const int16_t *b, int16_t *out,
                        uint16_t n, int16_t shift);

/* Charges `count` scalar CPU operations of one kind. The engine calls it
 * where docs/design.md says the CPU works; the C arithmetic itself is free. */
void iprune_hal_cpu(iprune_cpu_op_t op, uint32_t count);

/* Instrumentation (no cost, no effect on the device): the engine starts
 * work on `layer` (-1: boot), and has committed the footprint (layer,
 * counter). */
void iprune_hal_layer(int16_t layer);
void iprune_hal_committed(uint16_t layer, uint32_t counter);

#endif /* IPRUNE_HAL_H_ */
