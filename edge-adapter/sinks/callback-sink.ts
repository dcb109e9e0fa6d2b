import type { Sink, SinkRecord } from './sink.ts';

export type Publish = (records: SinkRecord[]) => Promise<void>;

/** Hands records to a function: the embedded stack's in-process bus. */
export function callbackSink(publish: Publish): Sink {
  return {
    kind: 'callback',
    send: (records) => publish([...records]),
    close: async () => {},
  };
}
