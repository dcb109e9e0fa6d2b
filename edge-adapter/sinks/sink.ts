/** One message for the log: the value is a CloudEvent, the key the device id (order holds per device). */
export interface SinkRecord {
  topic: string;
  key: string;
  value: Uint8Array | string;
  headers?: Record<string, string>;
}

/**
 * Where the adapter's output goes: Kafka in the field, a callback (the in-process bus)
 * in the embedded stack. `send` resolves once every record is durably accepted, and
 * rejects otherwise; the store-and-forward buffer keeps them until it resolves.
 */
export interface Sink {
  readonly kind: string;
  send(records: readonly SinkRecord[]): Promise<void>;
  close(): Promise<void>;
}
