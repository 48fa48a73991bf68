/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The device's side of a vireo ring, for the userspace tests: find the
 * ring through vireo_vring_phys() as a legacy device does, read what the
 * driver published, write used entries. Physical addresses are virtual
 * ones in the shim, so descriptor addresses can be followed directly.
 */
#ifndef _VIREO_RING_TOOLS_RINGDEV_H
#define _VIREO_RING_TOOLS_RINGDEV_H

#include <linux/io.h>
#include <vireo/transport.h>

struct ringdev {
	struct vireo_vring vr;
	unsigned int num;
};

/* What one entry of a buffer should look like in the descriptor table. */
struct ringdev_entry {
	u64 addr;
	u32 len;
	bool write;
};

static inline void ringdev_attach(struct ringdev *d,
				  struct vireo_virtqueue *vq,
				  unsigned int align)
{
	d->num = vireo_vq_get_vring_size(vq);
	vireo_vring_init(&d->vr, d->num, phys_to_virt(vireo_vring_phys(vq)),
			 align);
}

/* The head the driver published as avail entry @idx (free-running). */
static inline u16 ringdev_avail_head(const struct ringdev *d, u16 idx)
{
	return READ_ONCE(d->vr.avail->ring[idx & (d->num - 1)]);
}

/* Complete chain @id with @len bytes written, as a well-behaved device. */
static inline void ringdev_push_used(struct ringdev *d, u32 id, u32 len)
{
	u16 idx = READ_ONCE(d->vr.used->idx);
	struct vireo_vring_used_elem *e = &d->vr.used->ring[idx & (d->num - 1)];

	WRITE_ONCE(e->id, id);
	WRITE_ONCE(e->len, len);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	WRITE_ONCE(d->vr.used->idx, (u16)(idx + 1));
}

/* One descriptor against what entry @n of @total should be; NULL if right. */
static inline const char *ringdev_desc_check(const struct vireo_vring_desc *desc,
					     const struct ringdev_entry *e,
					     unsigned int n, unsigned int total)
{
	u16 flags = e->write ? VIREO_VRING_DESC_F_WRITE : 0;

	if (n + 1 < total)
		flags |= VIREO_VRING_DESC_F_NEXT;
	if (desc->addr != e->addr)
		return "descriptor address is not the buffer's";
	if (desc->len != e->len)
		return "descriptor length is not the buffer's";
	if (desc->flags != flags)
		return "descriptor flags are wrong";
	if (!(flags & VIREO_VRING_DESC_F_NEXT) && desc->next)
		return "last descriptor has a next link";
	return NULL;
}

/**
 * ringdev_check_chain - does the chain at @head hold exactly @exp?
 * @d: the device view
 * @head: the chain's head descriptor
 * @exp: the @total entries the driver added, in order
 * @total: number of entries
 * @table: set to the indirect table, or NULL for a direct chain
 * @descs: if not NULL, receives the ring descriptors of a direct chain
 *
 * Only valid right after the driver wrote the chain (the walk trusts the
 * links it reads, bounded by the ring size).
 *
 * Return: NULL if the chain is right, else what is wrong.
 */
static inline const char *ringdev_check_chain(const struct ringdev *d, u16 head,
					      const struct ringdev_entry *exp,
					      unsigned int total,
					      struct vireo_vring_desc **table,
					      u16 *descs)
{
	const struct vireo_vring_desc *desc = &d->vr.desc[head];
	const char *err;
	unsigned int n;
	u16 i = head;

	*table = NULL;
	if (desc->flags & VIREO_VRING_DESC_F_INDIRECT) {
		struct vireo_vring_desc *t = phys_to_virt(desc->addr);

		if (desc->flags != VIREO_VRING_DESC_F_INDIRECT || desc->next)
			return "indirect descriptor has other flags or a link";
		if (desc->len != total * sizeof(*t))
			return "indirect descriptor length is not the table's";
		for (n = 0; n < total; n++) {
			err = ringdev_desc_check(&t[n], &exp[n], n, total);
			if (err)
				return err;
			if (n + 1 < total && t[n].next != n + 1)
				return "indirect table link is not the next entry";
		}
		*table = t;
		return NULL;
	}
	if (total > d->num)
		return "direct chain longer than the ring";
	for (n = 0; n < total; n++) {
		if (i >= d->num)
			return "chain link beyond the ring";
		err = ringdev_desc_check(&d->vr.desc[i], &exp[n], n, total);
		if (err)
			return err;
		if (descs)
			descs[n] = i;
		i = d->vr.desc[i].next;
	}
	return NULL;
}

#endif /* _VIREO_RING_TOOLS_RINGDEV_H */
