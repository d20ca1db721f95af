// An alert as regulators read it (SPEC section 7), and the filters of the alerts list: the
// alert table's own types, from its owner in libs/store, named here for the API layer
// (which calls services and imports no repository file).
export type { AlertFilter, AlertRecord, AlertSeverity } from '@custos/store/alert.repository';
