#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# description: the ring's unit tests in userspace, gcc and clang, ASan+UBSan
# kind: host
# groups: quick
# timeout: 600
# needs: gcc clang-14
#
# virtio_ring/vireo_{vq,vring}.c built unchanged as a userspace library
# over tools/ring/shim/, and tools/ring/test_ring.c run against it, built
# once with gcc and once with clang-14, both with AddressSanitizer and
# UndefinedBehaviorSanitizer (tools/ring/README.md).

make --no-print-directory -C tools/ring test
