/** R7: the clinical roles of the CME profile; R11: the certificate each one gets. */
export const CLINICAL_ROLES = [
  'physician',
  'physician_assistant',
  'nurse_practitioner',
  'nurse',
  'pharmacist',
  'other',
] as const;
export type ClinicalRole = (typeof CLINICAL_ROLES)[number];

export const isClinicalRole = (value: string): value is ClinicalRole =>
  (CLINICAL_ROLES as readonly string[]).includes(value);

/**
 * R11: physicians get a certificate of AMA PRA Category 1 Credit™; other clinicians a
 * certificate of participation in an activity designated for AMA PRA Category 1 Credit™.
 */
export type CertificateKind = 'ama-pra-category-1' | 'participation';

export const certificateFor = (role: ClinicalRole): CertificateKind =>
  role === 'physician' ? 'ama-pra-category-1' : 'participation';
