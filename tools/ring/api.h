/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which optional parts of the ring API vireo_vq.c and vireo_vring.c defines, so that the
 * harnesses build while the file lags behind <vireo/driver.h> and
 * <vireo/transport.h>. The Makefile greps vireo_vq.c and vireo_vring.c for each definition
 * and passes -DVIREO_HAVE_...=0 for a missing one; built without the
 * Makefile, everything is assumed present.
 */
#ifndef _VIREO_RING_TOOLS_API_H
#define _VIREO_RING_TOOLS_API_H

#ifndef VIREO_HAVE_ADD_SGS
#define VIREO_HAVE_ADD_SGS		1	/* vireo_vq_add_sgs() */
#endif
#ifndef VIREO_HAVE_ENABLE_CB_DELAYED
#define VIREO_HAVE_ENABLE_CB_DELAYED	1	/* vireo_vq_enable_cb_delayed() */
#endif
#ifndef VIREO_HAVE_QUIESCE
#define VIREO_HAVE_QUIESCE		1	/* vireo_vring_quiesce() */
#endif

#endif /* _VIREO_RING_TOOLS_API_H */
