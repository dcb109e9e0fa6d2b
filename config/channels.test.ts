import { describe, expect, it } from 'vitest';
import { loadYamlConfig } from '../runtime/yaml-config.ts';
import { Channels } from './channels.ts';
import { loadConfig } from './load.ts';

const channel = (id: string, tenant = 'acme-energy') =>
  `  - { id: ${id}, tenant: ${tenant}, kind: webhook, url: 'https://hooks.example.com/${id}' }`;

describe('channels configuration', () => {
  it('ships an example with a webhook and an e-mail channel for acme-energy', async () => {
    const doc = await loadConfig('channels', Channels);
    expect(doc.channels.map((c) => [c.id, c.kind, c.tenant])).toEqual([
      ['acme-control-room', 'webhook', 'acme-energy'],
      ['acme-supervisors', 'email', 'acme-energy'],
    ]);
    expect(doc.routes[0]?.escalate.map((l) => l.afterMinutes)).toEqual([15, 60]);
    const email = doc.channels.find((c) => c.kind === 'email');
    expect(email?.kind === 'email' && email.smtp).toMatchObject({ security: 'starttls', passwordEnv: 'ACME_SMTP_PASSWORD' });
  });

  it('says which route names a channel that does not exist or belongs to another tenant', () => {
    const text = [
      'channels:',
      channel('ops'),
      channel('theirs', 'other-co'),
      'routes:',
      '  - tenant: acme-energy',
      '    channels: [ops, opps]',
      '  - tenant: acme-energy',
      '    channels: [theirs]',
      '',
    ].join('\n');
    expect(() => loadYamlConfig(text, 'channels.yaml', Channels)).toThrow(/channels\.yaml:6: routes\.0\.channels\.1: no channel "opps"/);
    expect(() => loadYamlConfig(text, 'channels.yaml', Channels)).toThrow(
      /channels\.yaml:8: routes\.1\.channels\.0: channel "theirs" belongs to tenant "other-co", not "acme-energy"/,
    );
  });

  it('wants escalation levels in rising order', () => {
    const text = [
      'channels:',
      channel('ops'),
      'routes:',
      '  - tenant: acme-energy',
      '    channels: [ops]',
      '    escalate:',
      '      - { afterMinutes: 30, channels: [ops] }',
      '      - { afterMinutes: 15, channels: [ops] }',
      '',
    ].join('\n');
    expect(() => loadYamlConfig(text, 'channels.yaml', Channels)).toThrow(
      /channels\.yaml:8: routes\.0\.escalate\.1\.afterMinutes: escalation levels go up in time: 15 must be above 30/,
    );
  });

  it('keeps secrets out of the file: only the name of an environment variable is accepted', () => {
    const base = (smtp: string) =>
      [
        'channels:',
        '  - id: mail',
        '    tenant: acme-energy',
        '    kind: email',
        `    smtp: ${smtp}`,
        '    from: flowline@acme.example.com',
        '    to: [ops@acme.example.com]',
        'routes: []',
        '',
      ].join('\n');
    expect(() => loadYamlConfig(base('{ host: smtp.example.com, user: u, password: hunter2 }'), 'channels.yaml', Channels)).toThrow(
      /channels\.yaml:5: channels\.0\.smtp: Unrecognized key: "password"/,
    );
    expect(() => loadYamlConfig(base('{ host: smtp.example.com, user: u, passwordEnv: hunter2 }'), 'channels.yaml', Channels)).toThrow(
      /name an environment variable such as ACME_SMTP_PASSWORD/,
    );
    expect(() => loadYamlConfig(base('{ host: smtp.example.com, user: u }'), 'channels.yaml', Channels)).toThrow(
      /give both user and passwordEnv, or neither/,
    );
    const withHeaders = [
      'channels:',
      `${channel('ops')}`.replace(' }', ', headers: { Authorization: Bearer abc } }'),
      'routes: []',
      '',
    ].join('\n');
    expect(() => loadYamlConfig(withHeaders, 'channels.yaml', Channels)).toThrow(
      /channels\.yaml:2: channels\.0\.headers: credentials never go in this file: name an environment variable in authorizationEnv instead/,
    );
  });
});
