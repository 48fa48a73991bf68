/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The legacy (0.9.5) virtio console (serial) device's wire formats:
 * feature bits, config space and the control queues' messages.
 *
 * These are facts from the specification, written in our own words. On a
 * legacy device every multi-byte field here is in guest-native byte order.
 */
#ifndef _VIREO_CONSOLE_WIRE_H
#define _VIREO_CONSOLE_WIRE_H

#include <linux/build_bug.h>
#include <linux/stddef.h>
#include <linux/types.h>

/* Feature bits. A legacy device has bits 0-31 only. */
#define VIREO_CONSOLE_F_SIZE		0 /* config cols and rows are valid */
#define VIREO_CONSOLE_F_MULTIPORT	1 /* control queues, many ports */
#define VIREO_CONSOLE_F_EMERG_WRITE	2 /* config emerg_wr is writable */

/**
 * struct vireo_console_config - the device's config space (legacy layout)
 * @cols: console width in characters (SIZE)
 * @rows: console height in characters (SIZE)
 * @max_nr_ports: ports the device may ever have, port 0 included
 *	(MULTIPORT)
 * @emerg_wr: a write puts its low byte out on the device's console
 *	(EMERG_WRITE); reads have no meaning
 *
 * The fields are there whether or not their feature is offered, but only
 * mean something with it; without EMERG_WRITE a device may end the space
 * before @emerg_wr.
 */
struct vireo_console_config {
	u16 cols;
	u16 rows;
	u32 max_nr_ports;
	u32 emerg_wr;
} __packed;

static_assert(sizeof(struct vireo_console_config) == 12);
static_assert(offsetof(struct vireo_console_config, max_nr_ports) == 4);
static_assert(offsetof(struct vireo_console_config, emerg_wr) == 8);

/* Queues: port 0's pair, then the control pair, then the other ports'. */
#define VIREO_CONSOLE_Q_RX0		0
#define VIREO_CONSOLE_Q_TX0		1
#define VIREO_CONSOLE_Q_CTRL_RX		2	/* host to guest */
#define VIREO_CONSOLE_Q_CTRL_TX		3	/* guest to host */

/* Control events; "G" is sent by the guest, "H" by the host. */
#define VIREO_CONSOLE_DEVICE_READY	0 /* G: value 1 ready, 0 failed */
#define VIREO_CONSOLE_PORT_ADD		1 /* H: a port appeared */
#define VIREO_CONSOLE_PORT_REMOVE	2 /* H: a port went away */
#define VIREO_CONSOLE_PORT_READY	3 /* G: value 1 port set up, 0 failed */
#define VIREO_CONSOLE_CONSOLE_PORT	4 /* H: the port is a console */
#define VIREO_CONSOLE_RESIZE		5 /* H: a vireo_console_resize follows */
#define VIREO_CONSOLE_PORT_OPEN		6 /* both: value 1 opened, 0 closed */
#define VIREO_CONSOLE_PORT_NAME		7 /* H: a NUL-terminated name follows */

/**
 * struct vireo_console_ctrl - the header of every control message
 * @id: the port the message is about
 * @event: VIREO_CONSOLE_* event
 * @value: the event's argument
 */
struct vireo_console_ctrl {
	u32 id;
	u16 event;
	u16 value;
} __packed;

static_assert(sizeof(struct vireo_console_ctrl) == 8);

/**
 * struct vireo_console_resize - what follows a RESIZE header
 * @cols: new width in characters
 * @rows: new height in characters
 */
struct vireo_console_resize {
	u16 cols;
	u16 rows;
} __packed;

static_assert(sizeof(struct vireo_console_resize) == 4);

#endif /* _VIREO_CONSOLE_WIRE_H */
