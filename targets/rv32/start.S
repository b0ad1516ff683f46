/* Reset entry of every hart of qemu-system-riscv32 -M virt -bios none, which starts all harts at
 * the DRAM base whatever the ELF's entry point says: qemu_virt.ld puts .text.init.enter there.
 *
 * Hart 0 sets up the C runtime (c_runtime.cpp), runs main() and exits with its result through
 * semihosting. The other harts sleep until a HartTeam hands them work (hart_launch.h). They sleep
 * in WFI, woken by their CLINT msip bit, rather than spin: under -icount QEMU runs the harts in
 * turn, and a spinning hart would take hart 0's time.
 *
 * No interrupt is ever taken: mstatus.MIE stays 0, and WFI still returns when an interrupt
 * enabled in mie is pending, which is all a wake-up needs. mtvec only catches faults. */
#include "targets/rv32/hart_launch.h"

        /* binutils 2.40 wants Zicsr for CSR instructions; it is not in -march (see the toolchain file). */
        .option arch, +zicsr

        .section .text.init.enter, "ax", @progbits
        .globl  _start
        .type   _start, @function
_start:
        .option push
        .option norelax
        la      gp, __global_pointer$
        .option pop
        la      t0, utrain_trap_entry
        csrw    mtvec, t0
#ifdef __riscv_flen
        li      t0, 0x2000              /* mstatus.FS = initial: the FPU is off after reset */
        csrs    mstatus, t0
        csrw    fcsr, zero
#endif
        csrr    a0, mhartid
        bnez    a0, secondary_hart
        la      sp, __stack
        call    utrain_init_c_runtime
        li      a0, 0                   /* argc */
        li      a1, 0                   /* argv */
        call    main
        call    exit

secondary_hart:                         /* a0 = mhartid */
        li      t0, UTRAIN_RV32_MAX_HARTS
        bgeu    a0, t0, sleep_forever
        li      t0, 8                   /* mie.MSIE: a CLINT software interrupt ends WFI */
        csrs    mie, t0
        li      t1, UTRAIN_RV32_CLINT_MSIP
        slli    t0, a0, 2
        add     t1, t1, t0              /* t1 = this hart's msip */
        la      t2, utrain_hart_launch
        slli    t0, a0, 4
        add     t2, t2, t0              /* t2 = this hart's launch record */
wait_for_launch:
        sw      zero, 0(t1)             /* take the wake-up before looking, so none is lost */
        fence   iorw, iorw
        lw      t3, 0(t2)               /* entry */
        bnez    t3, launch
        wfi
        j       wait_for_launch
launch:
        fence   r, rw                   /* acquire: the argument and stack written before the entry */
        lw      a1, UTRAIN_RV32_LAUNCH_ARGUMENT(t2)
        lw      sp, UTRAIN_RV32_LAUNCH_STACK(t2)
        jalr    t3                      /* entry(hart, argument); it cleared the record */
        csrr    a0, mhartid
        j       secondary_hart

sleep_forever:
        wfi
        j       sleep_forever
        .size   _start, .-_start

        /* A fault on any hart: report it and end the program (c_runtime.cpp). Direct mode needs
         * a 4-byte aligned address. */
        .text
        .balign 4
        .globl  utrain_trap_entry
        .type   utrain_trap_entry, @function
utrain_trap_entry:
        csrr    a0, mhartid
        csrr    a1, mcause
        csrr    a2, mepc
        csrr    a3, mtval
        j       utrain_report_trap
        .size   utrain_trap_entry, .-utrain_trap_entry

        .section .bss.utrain_hart_launch, "aw", @nobits
        .balign UTRAIN_RV32_LAUNCH_RECORD_BYTES
        .globl  utrain_hart_launch
utrain_hart_launch:
        .space  UTRAIN_RV32_LAUNCH_RECORD_BYTES * UTRAIN_RV32_MAX_HARTS
