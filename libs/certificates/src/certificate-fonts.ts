import { readFileSync } from 'node:fs';

/**
 * The certificate's fonts, embedded (subset) in every PDF so that it looks the same in every
 * viewer: Source Serif 4 and Source Sans 3 (SIL Open Font License), read from the npm
 * packages that ship their TrueType files. Both cover Latin (with its extensions, so names
 * such as Łukasz or Nguyễn), Greek and Cyrillic, and the ™ sign; the PDF standard fonts
 * cover only WinAnsi and are not embedded.
 */
const FONT_FILES = {
  serif: '@expo-google-fonts/source-serif-4/400Regular/SourceSerif4_400Regular.ttf',
  serifItalic:
    '@expo-google-fonts/source-serif-4/400Regular_Italic/SourceSerif4_400Regular_Italic.ttf',
  serifBold: '@expo-google-fonts/source-serif-4/600SemiBold/SourceSerif4_600SemiBold.ttf',
  sans: '@expo-google-fonts/source-sans-3/400Regular/SourceSans3_400Regular.ttf',
  sansItalic:
    '@expo-google-fonts/source-sans-3/400Regular_Italic/SourceSans3_400Regular_Italic.ttf',
  sansBold: '@expo-google-fonts/source-sans-3/600SemiBold/SourceSans3_600SemiBold.ttf',
} as const;

export type CertificateFont = keyof typeof FONT_FILES;

let loaded: Readonly<Record<CertificateFont, Buffer>> | undefined;

/** The font files, read once per process. */
export function certificateFonts(): Readonly<Record<CertificateFont, Buffer>> {
  loaded ??= Object.fromEntries(
    Object.entries(FONT_FILES).map(([name, file]) => [name, readFileSync(require.resolve(file))]),
  ) as Record<CertificateFont, Buffer>;
  return loaded;
}
