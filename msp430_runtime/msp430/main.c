/* The MSP430 application: runs the exported model (model.c, identifier
 * `model`) on its compiled-in test input and leaves the output in
 * `iprune_output` and its argmax in `iprune_argmax_result`, then calls
 * `iprune_done` (a breakpoint for mspdebug). */
#include <string.h>

#include "iprune/engine.h"
#include "iprune/kernels.h"
#include "model.h"

int16_t iprune_nvm_state[MODEL_STATE_WORDS]
    __attribute__((section(".persistent")));
volatile int16_t iprune_output[MODEL_OUTPUT_WORDS];
volatile uint16_t iprune_argmax_result;
volatile int16_t iprune_status = -1;

void iprune_done(void);
int main(void);

__attribute__((noinline)) void iprune_done(void) { __asm__ volatile("nop"); }

int main(void) {
  const iprune_tensor_t *in = &model.tensors[model.input];
  const iprune_tensor_t *out = &model.tensors[model.output];
  int16_t *arena = iprune_nvm_state + IPRUNE_ARENA_OFFSET(&model);
  uint16_t i;
  memcpy(arena + in->nvm_offset, model_test_input,
         MODEL_INPUT_WORDS * sizeof(int16_t));
  iprune_engine_reset(&model, iprune_nvm_state);
  iprune_status = (int16_t)iprune_engine_run(&model);
  for (i = 0; i < MODEL_OUTPUT_WORDS; i++) {
    iprune_output[i] = arena[out->nvm_offset + i];
  }
  iprune_argmax_result =
      (uint16_t)iprune_argmax(arena + out->nvm_offset, MODEL_OUTPUT_WORDS);
  iprune_done();
  return 0;
}
