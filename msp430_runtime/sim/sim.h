/* The host simulator: NVM that persists across simulated reboots, VM that
 * is poisoned at every power failure, a software LEA, the target's cost
 * table, an energy buffer fed by a harvester, and failure injection
 * (docs/runtime.md, "Host simulator"). */
#ifndef IPRUNE_SIM_H_
#define IPRUNE_SIM_H_

#include <stdint.h>

#include "iprune/model.h"
#include "target.h"

/* Mirrors tf_iprune.hardware.schedule.OpCounts. */
typedef struct {
  uint64_t nvm_read_calls, nvm_read_words, nvm_write_calls, nvm_write_words;
  uint64_t lea_calls, lea_elements;
  uint64_t cpu_add, cpu_mul, cpu_div, cpu_max;
  uint64_t commits, acc_outputs, cpu_outputs;
} sim_counts_t;

typedef enum {
  SIM_FAIL_ENERGY = 0, /* Only the energy buffer decides. */
  SIM_FAIL_RANDOM = 1, /* N failures at random cycles of the timeline. */
  SIM_FAIL_BYTE = 2    /* At the K-th byte written to NVM (and K + STEP...). */
} sim_fail_mode_t;

typedef struct {
  double power_w;         /* Harvested power. */
  sim_fail_mode_t mode;   /* Injected failures come on top of energy ones. */
  uint32_t random_n;
  uint64_t random_seed;
  uint64_t byte_k;        /* 1-based index of the byte being torn. */
  uint64_t byte_step;     /* 0: one failure; else every STEP bytes after. */
  uint32_t byte_count;    /* Number of byte failures (with a step). */
  /* 1: start with the energy the previous sim_infer left in the buffer
   * (inferences back to back); 0: with a full buffer. Energy mode only. */
  int carry_energy;
} sim_config_t;

typedef struct {
  int16_t *output; /* Output tensor, model output words (owned by sim). */
  uint32_t output_words;
  uint32_t argmax;
  double latency_s, on_time_s, charge_time_s, energy_j, cycles;
  uint32_t power_cycles, energy_failures, injected_failures;
  uint32_t reexecuted_jobs;
  uint64_t nvm_bytes_written, nvm_bytes_read;
  sim_counts_t total;
  sim_counts_t boot;    /* Boots: footprint reads. */
  sim_counts_t *layers; /* Per layer (owned by sim). */
} sim_result_t;

/* Sets up the simulator for a model (allocates NVM state and VM). */
int sim_open(const iprune_model_t *model, const sim_target_t *target);
void sim_close(void);

/* Runs one inference of `input` (model input words) under `config`.
 * Returns 0, or -1 with a message in err (e.g. power too weak). */
int sim_infer(const int16_t *input, const sim_config_t *config,
              sim_result_t *result, char *err, unsigned err_size);

/* The NVM state region, for tests that inspect or corrupt it. */
int16_t *sim_nvm_state(void);

#endif /* IPRUNE_SIM_H_ */
