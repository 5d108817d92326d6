/* SPDX-License-Identifier: GPL-2.0 */
/* One entry point per sub-command; main.c dispatches by name. */
#ifndef FS_COMMANDS_COMMANDS_H
#define FS_COMMANDS_COMMANDS_H

int cmd_record(int argc, char **argv);
int cmd_trace(int argc, char **argv);
int cmd_probes(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_state(int argc, char **argv);
int cmd_doctor(int argc, char **argv);
int cmd_top(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_explain(int argc, char **argv);

#endif
