/* Start-up code: stack, watchdog, .data and .bss, then main(). */
#include <stdint.h>

extern uint16_t __data_load[], __data_start[], __data_end[];
extern uint16_t __bss_start[], __bss_end[];
int main(void);
void _start(void);
void __crt_main(void);

/* WDTCTL of the MSP430FR5994: password + hold. */
#define WDTCTL (*(volatile uint16_t *)0x015C)
#define WDTPW 0x5A00u
#define WDTHOLD 0x0080u

__attribute__((naked, used, section(".text.start"))) void _start(void) {
  __asm__ volatile(
      "mov #__stack_top, r1\n\t"
      "call #__crt_main\n\t");
}

void __crt_main(void) {
  uint16_t *src = __data_load, *dst = __data_start;
  WDTCTL = WDTPW | WDTHOLD;
  while (dst < __data_end) *dst++ = *src++;
  for (dst = __bss_start; dst < __bss_end; dst++) *dst = 0;
  main();
  for (;;) {
  }
}
