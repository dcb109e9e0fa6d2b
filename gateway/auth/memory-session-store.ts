import type { RotateOutcome, SessionRecord, SessionStore } from './session-store.ts';

interface Entry {
  session: SessionRecord;
  current: string;
  rotated: Set<string>;
}

/**
 * Sessions in this process's memory: the stand-in for `npm start`'s embedded gateway
 * only (one process, nothing to share; a restart signs everyone out, as the embedded
 * gateway's fresh signing secret does anyway). Expired sessions are dropped as met.
 */
export function memorySessionStore(clock: () => number = Date.now): SessionStore {
  const sessions = new Map<string, Entry>();
  const live = (sessionId: string): Entry | undefined => {
    const entry = sessions.get(sessionId);
    if (entry && entry.session.expiresAt <= clock()) sessions.delete(sessionId);
    return sessions.get(sessionId);
  };
  return {
    async create(session, refreshHash) {
      sessions.set(session.sessionId, { session: { ...session }, current: refreshHash, rotated: new Set() });
    },
    async rotate(sessionId, presentedHash, nextHash): Promise<RotateOutcome> {
      const entry = live(sessionId);
      if (!entry) return { kind: 'unknown' };
      if (entry.current === presentedHash) {
        entry.rotated.add(presentedHash);
        entry.current = nextHash;
        return { kind: 'rotated', session: { ...entry.session } };
      }
      if (entry.rotated.has(presentedHash)) {
        sessions.delete(sessionId);
        return { kind: 'reused', session: { ...entry.session } };
      }
      return { kind: 'unknown' };
    },
    async isActive(sessionId) {
      return live(sessionId) !== undefined;
    },
    async revoke(sessionId) {
      const entry = live(sessionId);
      sessions.delete(sessionId);
      return entry && { ...entry.session };
    },
    async revokeUser(tenantId, userId) {
      const ended: string[] = [];
      for (const [sessionId, entry] of sessions) {
        if (entry.session.tenantId !== tenantId || entry.session.userId !== userId) continue;
        sessions.delete(sessionId);
        if (entry.session.expiresAt > clock()) ended.push(sessionId);
      }
      return ended;
    },
  };
}
