/* The target's cost table and energy buffer, as stored in model.bin
 * (docs/model_format.md, "Target"); mirrors tf_iprune.hardware.Target. */
#ifndef IPRUNE_SIM_TARGET_H_
#define IPRUNE_SIM_TARGET_H_

#include <stdint.h>

#define SIM_MAX_POWERS 16

typedef struct {
  double cycles_per_element, cycles_fixed, joules_per_element, joules_fixed;
} sim_linear_cost_t;

typedef struct {
  double cycles, joules;
} sim_unit_cost_t;

typedef struct {
  const char *name;
  uint32_t vm_bytes, lea_buffer_words, vm_scratch_words, nvm_bytes;
  uint32_t max_tile_m, footprint_words;
  double cpu_hz;
  sim_linear_cost_t nvm_read, nvm_write, lea;
  sim_unit_cost_t cpu[4]; /* Indexed by iprune_cpu_op_t. */
  double reboot_s, reboot_j;
  double capacitance_f, v_on, v_off, harvest_efficiency;
  uint32_t n_powers;
  const char *power_names[SIM_MAX_POWERS];
  double power_watts[SIM_MAX_POWERS];
} sim_target_t;

/* Energy of one power cycle: 0.5 C (v_on^2 - v_off^2). */
double sim_cycle_energy_j(const sim_target_t *t);

#endif /* IPRUNE_SIM_TARGET_H_ */
