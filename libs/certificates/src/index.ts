/** @ledger/certificates: the PDF certificate of a claim (R11). */
export {
  ACTIVITY_DESCRIPTIONS,
  type ActivityDescription,
  type CertificateBoardLine,
  type CertificateInput,
  type CertificateProvider,
} from './certificate-input';
export {
  certificateWording,
  creditPhrase,
  ERASED_NAME,
  type CertificateWording,
} from './certificate-wording';
export { renderCertificate } from './render-certificate';
