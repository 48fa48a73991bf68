// SPDX-License-Identifier: GPL-2.0
/*
 * vireo_pci: the legacy (virtio 0.9.5) PCI transport of the vireo bus.
 *
 * A legacy virtio PCI function has one I/O BAR holding a small register
 * block (vireo_pci_regs.h) followed by the device-specific config space.
 * This file is the PCI driver: it checks and enables a function, maps its
 * BAR and hands it to the policy (vireo_pci_policy.c), which wraps it in a
 * struct vireo_device on the vireo bus and serves the vireo_config_ops
 * through the register layer (vireo_pci_regs.c).
 */

#include <linux/io.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <vireo/compat-pci.h>

#include "vireo_pci.h"
#include "vireo_pci_regs.h"

/*
 * The id table below is only a hint to the driver core: driver_override
 * (see tools/vireo-bind) binds any function to us, so check everything.
 */
static int vireo_pci_check_ids(struct pci_dev *pdev)
{
	if (pdev->vendor != VIREO_PCI_VENDOR_ID ||
	    pdev->device < VIREO_PCI_LEGACY_DEVICE_FIRST ||
	    pdev->device > VIREO_PCI_LEGACY_DEVICE_LAST) {
		dev_info(&pdev->dev, "%04x:%04x is not a legacy virtio device\n",
			 pdev->vendor, pdev->device);
		return -ENODEV;
	}
	if (pdev->revision != VIREO_PCI_LEGACY_REVISION) {
		dev_info(&pdev->dev, "unsupported legacy virtio ABI revision %u\n",
			 pdev->revision);
		return -ENODEV;
	}
	if (!pdev->subsystem_device) {
		dev_info(&pdev->dev, "virtio device type 0 is reserved\n");
		return -ENODEV;
	}
	return 0;
}

static int vireo_pci_check_bar(struct pci_dev *pdev)
{
	if (!(pci_resource_flags(pdev, 0) & IORESOURCE_IO)) {
		dev_err(&pdev->dev, "BAR0 is not an I/O port BAR\n");
		return -ENODEV;
	}
	if (pci_resource_len(pdev, 0) < VIREO_PCI_CONFIG_OFF_NO_MSIX) {
		dev_err(&pdev->dev, "BAR0 is too short for the legacy registers\n");
		return -ENODEV;
	}
	return 0;
}

/* Allocate the vireo device of @pdev and put it on the bus. */
static int vireo_pci_add_function(struct pci_dev *pdev, void __iomem *ioaddr)
{
	struct vireo_pci_device *vp;
	int err;

	vp = vireo_pci_alloc(&pdev->dev, &vireo_pci_io_regs,
			     &vireo_pci_io_host, pci_resource_len(pdev, 0));
	if (!vp)
		return -ENOMEM;
	vp->pdev = pdev;
	vp->ioaddr = ioaddr;
	vp->vdev.id.device = pdev->subsystem_device;
	vp->vdev.id.vendor = pdev->subsystem_vendor;
	/* On failure vireo_pci_add() has freed vp. */
	err = vireo_pci_add(vp);
	if (err)
		return err;
	pci_set_drvdata(pdev, vp);
	return 0;
}

static int vireo_pci_probe(struct pci_dev *pdev,
			   const struct pci_device_id *id)
{
	void __iomem *ioaddr;
	int err;

	err = vireo_pci_check_ids(pdev);
	if (err)
		return err;
	err = pci_enable_device(pdev);
	if (err)
		return err;
	err = pci_request_regions(pdev, "vireo_pci");
	if (err)
		goto err_disable_device;
	err = vireo_pci_check_bar(pdev);
	if (err)
		goto err_release_regions;
	ioaddr = pci_iomap(pdev, 0, 0);
	if (!ioaddr) {
		err = -ENOMEM;
		goto err_release_regions;
	}
	/* The device reads and writes the rings in guest memory. */
	pci_set_master(pdev);
	err = vireo_pci_add_function(pdev, ioaddr);
	if (err)
		goto err_clear_master;
	return 0;

err_clear_master:
	pci_clear_master(pdev);
	pci_iounmap(pdev, ioaddr);
err_release_regions:
	pci_release_regions(pdev);
err_disable_device:
	pci_disable_device(pdev);
	return err;
}

static void vireo_pci_remove(struct pci_dev *pdev)
{
	struct vireo_pci_device *vp = pci_get_drvdata(pdev);
	void __iomem *ioaddr = vp->ioaddr;

	/* Drops the registration's reference: vp may be freed here. */
	vireo_pci_del(vp);
	pci_clear_master(pdev);
	pci_iounmap(pdev, ioaddr);
	pci_release_regions(pdev);
	pci_disable_device(pdev);
}

/*
 * Every legacy virtio function: vendor 0x1af4, devices 0x1000-0x103f
 * (checked in probe). There is deliberately no MODULE_DEVICE_TABLE():
 * with it, udev would load this module for every virtio function and race
 * the in-kernel virtio-pci driver for them. Functions are handed over
 * explicitly instead, with tools/vireo-bind (see Documentation/pci.rst).
 */
static const struct pci_device_id vireo_pci_ids[] = {
	{ PCI_DEVICE(VIREO_PCI_VENDOR_ID, PCI_ANY_ID) },
	{ }
};

static struct pci_driver vireo_pci_driver = {
	.name		= "vireo_pci",
	.id_table	= vireo_pci_ids,
	.probe		= vireo_pci_probe,
	.remove		= vireo_pci_remove,
};
module_pci_driver(vireo_pci_driver);

VIREO_IMPORT_NS();
MODULE_DESCRIPTION("vireo legacy virtio PCI transport");
MODULE_LICENSE("GPL");
