import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { MessageSecurityMode, SecurityPolicy, type UserIdentityInfo, UserTokenType } from 'node-opcua';
import type { OpcUaDevice } from '../config/opcua-device.ts';

export function messageSecurityMode(mode: OpcUaDevice['securityMode']): MessageSecurityMode {
  return { None: MessageSecurityMode.None, Sign: MessageSecurityMode.Sign, SignAndEncrypt: MessageSecurityMode.SignAndEncrypt }[mode];
}

export function securityPolicy(name: OpcUaDevice['securityPolicy']): SecurityPolicy {
  return SecurityPolicy[name];
}

/** The session identity, with files read and the password already resolved from the environment. */
export function userIdentity(identity: OpcUaDevice['identity']): UserIdentityInfo {
  switch (identity.type) {
    case 'anonymous':
      return { type: UserTokenType.Anonymous };
    case 'username':
      return { type: UserTokenType.UserName, userName: identity.username, password: identity.password ?? '' };
    case 'certificate': {
      // OPC UA carries the certificate as DER; accept the PEM most tools write.
      const certificate = readFileSync(identity.certificateFile);
      const der = certificate.subarray(0, 10).toString('latin1').startsWith('-----') ? new X509Certificate(certificate).raw : certificate;
      return { type: UserTokenType.Certificate, certificateData: der, privateKey: readFileSync(identity.privateKeyFile, 'utf8') };
    }
  }
}
