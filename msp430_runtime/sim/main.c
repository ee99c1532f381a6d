/* iprune_sim: runs model.bin on the host simulator and prints the outputs
 * and counters (one JSON object per inference with --json). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model_loader.h"
#include "sim.h"
#include "vectors.h"

#define ERR_SIZE 512

static const char kUsage[] =
    "Usage: iprune_sim --model=model.bin [options]\n"
    "\n"
    "Runs a model exported by tf_iprune.export.model_format on the host\n"
    "simulator of the intermittent runtime and reports its outputs, latency\n"
    "and operation counters.\n"
    "\n"
    "Options:\n"
    "  --model=PATH       model.bin to run (required)\n"
    "  --input=PATH       test-vector file (IPTV) with one or more inputs;\n"
    "                     default: one all-zero input\n"
    "  --power=P          harvested power: a name of the model's target\n"
    "                     (continuous, 8mW, 4mW) or a number with unit W, mW\n"
    "                     or uW (default: continuous)\n"
    "  --failures=MODE    energy        power fails when the energy buffer\n"
    "                                   is empty (default)\n"
    "                     random:N:SEED N failures at random cycles of the\n"
    "                                   run's timeline (seeded), plus energy\n"
    "                     byte:K[:STEP:COUNT]  power fails while the K-th\n"
    "                                   byte written to NVM is written (the\n"
    "                                   write is torn there); with STEP, COUNT\n"
    "                                   failures every STEP bytes\n"
    "  --repeat=R         runs every input R times; run r uses SEED + r\n"
    "                     (random) or K + r (byte)\n"
    "  --back_to_back     inferences run back to back: each starts with the\n"
    "                     energy the one before left in the buffer, the\n"
    "                     first after an unreported warm-up inference of the\n"
    "                     first input (steady state; --failures=energy only);\n"
    "                     default: every inference starts with a full buffer\n"
    "  --json             one JSON object per inference (JSON Lines)\n"
    "  --layers           include per-layer counters in the JSON\n"
    "  --check            exit 1 if an output differs from the expected\n"
    "                     output in the test-vector file\n"
    "  --help             this text\n"
    "\n"
    "Exit status: 0 ok, 1 --check found a mismatch, 2 bad arguments or\n"
    "files, 3 the simulation could not finish (e.g. power too weak).\n";

typedef struct {
  const char *model, *input, *power, *failures;
  uint32_t repeat;
  int json, layers, check, back_to_back;
} options_t;

static int usage_error(const char *fmt, const char *arg) {
  fprintf(stderr, "iprune_sim: ");
  fprintf(stderr, fmt, arg);
  fprintf(stderr, "\nRun iprune_sim --help for the options.\n");
  return 2;
}

static const char *flag_value(const char *arg, const char *name) {
  const size_t n = strlen(name);
  if (strncmp(arg, name, n) == 0 && arg[n] == '=') return arg + n + 1;
  return NULL;
}

static int parse_uint64(const char *s, uint64_t *out) {
  char *end;
  unsigned long long v;
  if (*s < '0' || *s > '9') return -1;
  errno = 0;
  v = strtoull(s, &end, 10);
  if (errno || (*end != '\0' && *end != ':')) return -1;
  *out = v;
  return (int)(end - s);
}

static int parse_options(int argc, char **argv, options_t *o) {
  int i;
  memset(o, 0, sizeof(*o));
  o->power = "continuous";
  o->failures = "energy";
  o->repeat = 1;
  for (i = 1; i < argc; i++) {
    const char *a = argv[i], *v;
    uint64_t n;
    if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
      fputs(kUsage, stdout);
      exit(0);
    } else if ((v = flag_value(a, "--model"))) {
      o->model = v;
    } else if ((v = flag_value(a, "--input"))) {
      o->input = v;
    } else if ((v = flag_value(a, "--power"))) {
      o->power = v;
    } else if ((v = flag_value(a, "--failures"))) {
      o->failures = v;
    } else if ((v = flag_value(a, "--repeat"))) {
      const int k = parse_uint64(v, &n);
      if (k < 0 || v[k] != '\0' || n < 1 || n > 100000000u) {
        return usage_error("--repeat needs a positive integer, got '%s'.", v);
      }
      o->repeat = (uint32_t)n;
    } else if (strcmp(a, "--json") == 0) {
      o->json = 1;
    } else if (strcmp(a, "--layers") == 0) {
      o->layers = 1;
    } else if (strcmp(a, "--check") == 0) {
      o->check = 1;
    } else if (strcmp(a, "--back_to_back") == 0) {
      o->back_to_back = 1;
    } else {
      return usage_error("unknown argument '%s'.", a);
    }
  }
  if (o->model == NULL) return usage_error("%s", "--model is required.");
  return 0;
}

static int parse_power(const char *s, const sim_target_t *t, double *watts) {
  char *end;
  double v;
  uint32_t i;
  for (i = 0; i < t->n_powers; i++) {
    if (strcmp(s, t->power_names[i]) == 0) {
      *watts = t->power_watts[i];
      return 0;
    }
  }
  errno = 0;
  v = strtod(s, &end);
  if (errno || end == s || !(v > 0)) return -1;
  if (strcmp(end, "W") == 0 || *end == '\0') {
    *watts = v;
  } else if (strcmp(end, "mW") == 0) {
    *watts = v * 1e-3;
  } else if (strcmp(end, "uW") == 0) {
    *watts = v * 1e-6;
  } else {
    return -1;
  }
  return 0;
}

static int parse_failures(const char *s, sim_config_t *c) {
  uint64_t a, b, n;
  int k;
  c->mode = SIM_FAIL_ENERGY;
  if (strcmp(s, "energy") == 0) return 0;
  if (strncmp(s, "random:", 7) == 0) {
    s += 7;
    if ((k = parse_uint64(s, &a)) < 0 || s[k] != ':' ||
        parse_uint64(s + k + 1, &b) < 0 || strchr(s + k + 1, ':') ||
        a > 10000000u) {
      return -1;
    }
    c->mode = SIM_FAIL_RANDOM;
    c->random_n = (uint32_t)a;
    c->random_seed = b;
    return 0;
  }
  if (strncmp(s, "byte:", 5) == 0) {
    s += 5;
    if ((k = parse_uint64(s, &a)) < 0 || a < 1) return -1;
    c->mode = SIM_FAIL_BYTE;
    c->byte_k = a;
    c->byte_step = 0;
    c->byte_count = 1;
    if (s[k] == '\0') return 0;
    s += k + 1;
    if ((k = parse_uint64(s, &b)) < 0 || s[k] != ':' || b < 1 ||
        parse_uint64(s + k + 1, &n) < 0 || strchr(s + k + 1, ':') ||
        n > 10000000u) {
      return -1;
    }
    c->byte_step = b;
    c->byte_count = (uint32_t)n;
    return 0;
  }
  return -1;
}

static void print_counts(FILE *f, const sim_counts_t *c) {
  fprintf(f,
          "{\"nvm_read_calls\": %" PRIu64 ", \"nvm_read_words\": %" PRIu64
          ", \"nvm_write_calls\": %" PRIu64 ", \"nvm_write_words\": %" PRIu64
          ", \"lea_calls\": %" PRIu64 ", \"lea_elements\": %" PRIu64
          ", \"cpu_add\": %" PRIu64 ", \"cpu_mul\": %" PRIu64
          ", \"cpu_div\": %" PRIu64 ", \"cpu_max\": %" PRIu64
          ", \"commits\": %" PRIu64 ", \"acc_outputs\": %" PRIu64
          ", \"cpu_outputs\": %" PRIu64 "}",
          c->nvm_read_calls, c->nvm_read_words, c->nvm_write_calls,
          c->nvm_write_words, c->lea_calls, c->lea_elements, c->cpu_add,
          c->cpu_mul, c->cpu_div, c->cpu_max, c->commits, c->acc_outputs,
          c->cpu_outputs);
}

static void print_json_string(FILE *f, const char *s) {
  fputc('"', f);
  for (; *s; s++) {
    if (*s == '"' || *s == '\\') {
      fprintf(f, "\\%c", *s);
    } else if ((unsigned char)*s < 0x20) {
      fprintf(f, "\\u%04x", (unsigned char)*s);
    } else {
      fputc(*s, f);
    }
  }
  fputc('"', f);
}

static void print_json(const options_t *o, const sim_loaded_model_t *lm,
                       const sim_vectors_t *vec, uint32_t index, uint32_t run,
                       double watts, const sim_result_t *r, int match) {
  uint32_t i;
  printf("{\"model\": ");
  print_json_string(stdout, lm->model.name);
  printf(", \"input_index\": %u, \"run\": %u, \"power_w\": %.17g, "
         "\"failures\": ", index, run, watts);
  print_json_string(stdout, o->failures);
  printf(", \"back_to_back\": %s", o->back_to_back ? "true" : "false");
  printf(", \"output\": [");
  for (i = 0; i < r->output_words; i++) {
    printf(i ? ", %d" : "%d", r->output[i]);
  }
  printf("], \"argmax\": %u", r->argmax);
  if (vec && vec->labels) printf(", \"label\": %d", vec->labels[index]);
  if (match >= 0) printf(", \"expected_match\": %s", match ? "true" : "false");
  printf(", \"latency_s\": %.17g, \"on_time_s\": %.17g, \"charge_time_s\": "
         "%.17g, \"energy_j\": %.17g, \"cycles\": %.17g, \"power_cycles\": "
         "%u, \"energy_failures\": %u, \"injected_failures\": %u, "
         "\"acc_outputs\": %" PRIu64 ", \"nvm_bytes_written\": %" PRIu64
         ", \"nvm_bytes_read\": %" PRIu64 ", \"lea_ops\": %" PRIu64
         ", \"reexecuted_jobs\": %u, \"commits\": %" PRIu64 ", \"counts\": ",
         r->latency_s, r->on_time_s, r->charge_time_s, r->energy_j, r->cycles,
         r->power_cycles, r->energy_failures, r->injected_failures,
         r->total.acc_outputs, r->nvm_bytes_written, r->nvm_bytes_read,
         r->total.lea_calls, r->reexecuted_jobs, r->total.commits);
  print_counts(stdout, &r->total);
  printf(", \"boot\": ");
  print_counts(stdout, &r->boot);
  if (o->layers) {
    printf(", \"layers\": [");
    for (i = 0; i < lm->model.n_layers; i++) {
      printf(i ? ", {\"name\": " : "{\"name\": ");
      print_json_string(stdout, lm->model.layers[i].name);
      printf(", \"counts\": ");
      print_counts(stdout, &r->layers[i]);
      printf("}");
    }
    printf("]");
  }
  printf("}\n");
}

static void print_text(const sim_loaded_model_t *lm, uint32_t index,
                       uint32_t run, const sim_result_t *r, int match) {
  printf("%s input %u run %u: argmax %u, latency %.6f s (on %.6f s, charge "
         "%.6f s), %u power cycles, %" PRIu64 " accelerator outputs, %u "
         "re-executed jobs%s\n", lm->model.name, index, run, r->argmax,
         r->latency_s, r->on_time_s, r->charge_time_s, r->power_cycles,
         r->total.acc_outputs, r->reexecuted_jobs,
         match < 0 ? "" : match ? ", output as expected"
                                : ", OUTPUT DIFFERS FROM EXPECTED");
}

int main(int argc, char **argv) {
  options_t o;
  sim_loaded_model_t lm;
  sim_vectors_t vec;
  sim_config_t base, config;
  sim_result_t result;
  char err[ERR_SIZE];
  const iprune_tensor_t *in;
  uint32_t in_words, out_words, count, i, r;
  int16_t *zero = NULL;
  int status = 0, rc;
  memset(&vec, 0, sizeof(vec));
  if ((rc = parse_options(argc, argv, &o)) != 0) return rc;
  memset(&base, 0, sizeof(base));
  if (parse_failures(o.failures, &base)) {
    return usage_error("--failures must be energy, random:N:SEED or "
                       "byte:K[:STEP:COUNT], got '%s'.", o.failures);
  }
  if (o.back_to_back && base.mode != SIM_FAIL_ENERGY) {
    return usage_error("--back_to_back needs --failures=energy, got '%s'.",
                       o.failures);
  }
  base.carry_energy = o.back_to_back;
  if (sim_load_model(o.model, &lm, err, sizeof(err))) {
    fprintf(stderr, "iprune_sim: %s\n", err);
    return 2;
  }
  if (parse_power(o.power, &lm.target, &base.power_w)) {
    fprintf(stderr, "iprune_sim: unknown power '%s': use a power strength "
            "of the target (", o.power);
    for (i = 0; i < lm.target.n_powers; i++) {
      fprintf(stderr, i ? ", %s" : "%s", lm.target.power_names[i]);
    }
    fprintf(stderr, ") or a positive number with unit W, mW or uW.\n");
    sim_free_model(&lm);
    return 2;
  }
  in = &lm.model.tensors[lm.model.input];
  in_words = (uint32_t)in->h * in->w * in->c;
  {
    const iprune_tensor_t *out = &lm.model.tensors[lm.model.output];
    out_words = (uint32_t)out->h * out->w * out->c;
  }
  if (o.input) {
    if (sim_load_vectors(o.input, &vec, err, sizeof(err))) {
      fprintf(stderr, "iprune_sim: %s\n", err);
      sim_free_model(&lm);
      return 2;
    }
    if (vec.input_words != in_words || vec.input_exponent != in->exponent ||
        (vec.expected && vec.output_words != out_words)) {
      fprintf(stderr, "iprune_sim: %s: vectors of %u input words at exponent "
              "%d (and %u output words) do not fit model '%s' (%u input "
              "words at exponent %d, %u output words).\n", o.input,
              vec.input_words, vec.input_exponent, vec.output_words,
              lm.model.name, in_words, in->exponent, out_words);
      sim_free_vectors(&vec);
      sim_free_model(&lm);
      return 2;
    }
    count = vec.count;
  } else {
    zero = calloc(in_words, sizeof(int16_t));
    count = 1;
  }
  if (sim_open(&lm.model, &lm.target)) {
    fprintf(stderr, "iprune_sim: %s: the target's LEA buffer does not fit "
            "its VM, or out of memory.\n", o.model);
    status = 2;
  } else if (o.back_to_back &&
             sim_infer(vec.inputs ? vec.inputs : zero, &base, &result, err,
                       sizeof(err))) {
    fprintf(stderr, "iprune_sim: %s: warm-up inference: %s\n", o.model, err);
    status = 3;
  }
  for (i = 0; i < count && status != 2 && status != 3; i++) {
    const int16_t *x = vec.inputs ? vec.inputs + (size_t)i * in_words : zero;
    for (r = 0; r < o.repeat; r++) {
      int match = -1;
      config = base;
      config.random_seed = base.random_seed + r;
      config.byte_k = base.byte_k + r;
      if (sim_infer(x, &config, &result, err, sizeof(err))) {
        fprintf(stderr, "iprune_sim: %s: input %u: %s\n", o.model, i, err);
        status = 3;
        break;
      }
      if (vec.expected) {
        match = memcmp(result.output, vec.expected + (size_t)i * out_words,
                       out_words * sizeof(int16_t)) == 0;
        if (!match && o.check) status = 1;
      }
      if (o.json) {
        print_json(&o, &lm, o.input ? &vec : NULL, i, r, base.power_w,
                   &result, match);
      } else {
        print_text(&lm, i, r, &result, match);
      }
    }
  }
  fflush(stdout);
  sim_close();
  free(zero);
  sim_free_vectors(&vec);
  sim_free_model(&lm);
  return status;
}
