// ADO's learning curves: the law L(n) = ε + β·n^(−α), its robust fit, smoothing, fitDomains. Pure math.
export type { PowerLawParams, BoundPreset, CountMode } from './types.js';
export { powerLawValue, powerLawSlope } from './powerLaw.js';
export { fitPowerLaw } from './fitPowerLaw.js';
export type { FitPowerLawOptions, PowerLawFit } from './fitPowerLaw.js';
export { savitzkyGolay } from './savitzkyGolay.js';
export type { SavitzkyGolayOptions } from './savitzkyGolay.js';
export { fitDomains, domainCounts, domainFitData } from './fitDomains.js';
export type { DomainHistory, FitDomainsOptions, DomainFit, DomainFitData } from './fitDomains.js';
export { fitDiagnostics } from './fitDiagnostics.js';
export type { FitDiagnostics, FitDiagnosticsOptions, ActiveBound, LawParam } from './fitDiagnostics.js';
