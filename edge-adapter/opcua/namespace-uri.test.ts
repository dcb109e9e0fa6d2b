import { describe, expect, it } from 'vitest';
import { resolveNamespaceUri } from './namespace-uri.ts';

describe('resolveNamespaceUri', () => {
  const namespaces = ['http://opcfoundation.org/UA/', 'urn:flowline:well-pad-simulator', 'urn:vendor:plc'];

  it('turns a namespace URI into the index this server gave it', () => {
    expect(resolveNamespaceUri('nsu=urn:vendor:plc;s=Tank1.Level', namespaces)).toBe('ns=2;s=Tank1.Level');
    expect(resolveNamespaceUri('nsu=urn:flowline:well-pad-simulator;i=1001', namespaces)).toBe('ns=1;i=1001');
  });

  it('leaves index-based NodeIds alone and names a namespace the server lacks', () => {
    expect(resolveNamespaceUri('ns=3;s=X', namespaces)).toBe('ns=3;s=X');
    expect(() => resolveNamespaceUri('nsu=urn:other;s=X', namespaces)).toThrow(/has no namespace urn:other/);
  });
});
