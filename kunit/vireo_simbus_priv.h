/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Private to vireo_simbus.ko: the device side of a queue, which the
 * transport (vireo_simbus_transport.c) runs on a kick and the test's
 * controls (vireo_simbus_control.c) run on demand. The interface for the
 * driver suites is vireo_simbus.h.
 */
#ifndef _VIREO_SIMBUS_PRIV_H
#define _VIREO_SIMBUS_PRIV_H

#include <linux/types.h>
#include "vireo_simbus.h"

unsigned int vireo_simbus_take(struct vireo_simbus_queue *q, bool hold);
unsigned int vireo_simbus_take_n(struct vireo_simbus_queue *q, bool hold,
				 unsigned int max);
bool vireo_simbus_working(struct vireo_simbus_queue *q);
bool vireo_simbus_end_batch(struct vireo_simbus_queue *q);
void vireo_simbus_kick_work(struct vireo_simbus_dev *sb);

#endif /* _VIREO_SIMBUS_PRIV_H */
