/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Virtio device type ids and the legacy PCI ids that carry them.
 *
 * These are wire facts from the legacy (0.9.5) virtio specification; a
 * legacy PCI function's subsystem device id is its virtio type.
 */
#ifndef _VIREO_IDS_H
#define _VIREO_IDS_H

#define VIREO_ID_NET		1
#define VIREO_ID_BLOCK		2
#define VIREO_ID_CONSOLE	3
#define VIREO_ID_RNG		4
#define VIREO_ID_BALLOON	5
#define VIREO_ID_SCSI		8
#define VIREO_ID_9P		9

/* Matches any device type or any vendor in a vireo_device_id table. */
#define VIREO_DEV_ANY_ID	0xffffffffU

#define VIREO_PCI_VENDOR_ID		0x1af4
#define VIREO_PCI_LEGACY_DEVICE_FIRST	0x1000
#define VIREO_PCI_LEGACY_DEVICE_LAST	0x103f
/* Only ABI revision 0 of the legacy interface exists. */
#define VIREO_PCI_LEGACY_REVISION	0

#endif /* _VIREO_IDS_H */
