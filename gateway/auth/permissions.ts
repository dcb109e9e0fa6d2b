import type { Role } from '#contracts';

/** People at a screen, as opposed to `scada`, the service account of devices and machines (seed 004). */
const people = ['admin', 'supervisor', 'operator', 'viewer'] as const satisfies readonly Role[];
/** People who run the plant day to day and may act on it. */
const operating = ['admin', 'supervisor', 'operator'] as const satisfies readonly Role[];

/**
 * Who may do what: the one table every route and stream checks (seed 004's RBAC).
 * viewer reads; operator also acknowledges alarms, requests setpoint writes (the
 * edge adapter still decides per tag) and starts well tests; supervisor also shelves and suppresses, which
 * hide an alarm and so need more authority (ISA-18.2), and reads the configuration
 * documents and the audit trail of their tenant; scada pushes data and calls functions but
 * reads nothing; admin does everything, and alone changes configuration (the documents
 * are global, shared by every tenant) and ends another user's sessions.
 */
export const permissions = {
  'assets.read': people,
  'values.read': people,
  'history.read': people,
  'alarms.read': people,
  'calculations.read': people,
  'status.read': people,
  'commands.read': people,
  'stream.read': people,
  'alarms.acknowledge': operating,
  'alarms.shelve': ['admin', 'supervisor'],
  'alarms.suppress': ['admin', 'supervisor'],
  'commands.send': operating,
  'well-tests.start': operating,
  'telemetry.ingest': ['admin', 'scada'],
  'events.publish': ['admin', 'supervisor', 'operator', 'scada'],
  'functions.invoke': ['admin', 'scada'],
  'config.read': ['admin', 'supervisor'],
  'config.change': ['admin'],
  'sessions.revoke': ['admin'],
  'audit.read': ['admin', 'supervisor'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof permissions;

/** What a route needs: a permission, any signed-in principal, or nothing (sign-in, the OpenAPI document). */
export type Access = Permission | 'signed-in' | 'public';

export function may(role: Role, permission: Permission): boolean {
  return (permissions[permission] as readonly Role[]).includes(role);
}

export function permissionsOf(role: Role): Permission[] {
  return (Object.keys(permissions) as Permission[]).filter((p) => may(role, p));
}

export function rolesFor(access: Access): readonly Role[] | 'any' {
  return access === 'signed-in' || access === 'public' ? 'any' : permissions[access];
}
