/**
 * MQTT topic filters (MQTT 3.1.1 §4.7): `+` stands for one level, `#` for the rest of the
 * topic (and the level above it), each alone in its level. The adapter matches filters
 * itself because several devices may share one subscription on one connection, and
 * mqtt.js hands every message to one listener.
 */
export function topicFilterProblem(filter: string): string | undefined {
  if (filter.length === 0) return 'a topic filter cannot be empty';
  if (Buffer.byteLength(filter) > 65_535) return 'a topic filter is at most 65,535 bytes';
  const levels = filter.split('/');
  for (const [i, level] of levels.entries()) {
    if (level.includes('#') && (level !== '#' || i !== levels.length - 1)) return '# must be a level of its own, and the last one';
    if (level.includes('+') && level !== '+') return '+ must be a level of its own (e.g. plant/+/pressure)';
  }
  return undefined;
}

/** Whether `topic` matches `filter`. Topics starting with $ (broker internals) match only filters that name them. */
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  if (topic.startsWith('$') && (f[0] === '+' || f[0] === '#')) return false;
  for (let i = 0; i < f.length; i++) {
    const level = f[i];
    if (level === '#') return true;
    if (i >= t.length) return false;
    if (level !== '+' && level !== t[i]) return false;
  }
  return f.length === t.length;
}
