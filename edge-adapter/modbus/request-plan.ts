import type { ModbusTable, ModbusTag } from '../config/modbus-device.ts';
import { registerCount } from './register-codec.ts';

/** One tag inside a read: where its registers (or bits) start within the response. */
export interface PlannedTag {
  tag: ModbusTag;
  offset: number;
  count: number;
}

/** One Modbus read request: a table, a start address and a quantity, and the tags it serves. */
export interface ReadRequest {
  table: ModbusTable;
  address: number;
  count: number;
  tags: PlannedTag[];
}

export interface PlanLimits {
  /** Registers per FC3/FC4 request: 125 by the protocol (a 250-byte PDU), less on some devices. */
  maxRegisters: number;
  /** Bits per FC1/FC2 request: 2000 by the protocol. */
  maxBits: number;
  /** Unmapped addresses a request may span to join two runs of tags. */
  maxGap: number;
}

const tableOrder: readonly ModbusTable[] = ['coil', 'discrete-input', 'holding-register', 'input-register'];

export function tagWidth(tag: ModbusTag): number {
  if (tag.table === 'coil' || tag.table === 'discrete-input') return 1;
  return registerCount({ type: tag.type ?? 'uint16', length: tag.length });
}

/**
 * Groups tags into as few reads as the protocol allows. Per table, tags sorted by
 * address are swept once: a tag joins the open request when it starts within
 * `maxGap` of its end and the request stays within the size limit. For intervals
 * swept in order under a length cap this greedy choice is optimal (it never closes
 * a request that could still have taken the tag).
 */
export function planReads(tags: readonly ModbusTag[], limits: PlanLimits): ReadRequest[] {
  const requests: ReadRequest[] = [];
  for (const table of tableOrder) {
    const limit = table === 'coil' || table === 'discrete-input' ? limits.maxBits : limits.maxRegisters;
    const sorted = tags
      .filter((t) => t.table === table)
      .map((tag) => ({ tag, start: tag.address, end: tag.address + tagWidth(tag) }))
      .sort((a, b) => a.start - b.start || b.end - a.end);
    let open: { request: ReadRequest; end: number } | undefined;
    for (const { tag, start, end } of sorted) {
      if (end - start > limit) throw new RangeError(`tag ${tag.id} spans ${end - start} addresses, more than ${limit} per request`);
      const fits = open !== undefined && start - open.end <= limits.maxGap && Math.max(open.end, end) - open.request.address <= limit;
      if (!open || !fits) {
        open = { request: { table, address: start, count: 0, tags: [] }, end: start };
        requests.push(open.request);
      }
      open.end = Math.max(open.end, end);
      open.request.count = open.end - open.request.address;
      open.request.tags.push({ tag, offset: start - open.request.address, count: end - start });
    }
  }
  return requests;
}
