/**
 * Shapes of the Veolia backend's JSON (veolia-api.md §2.4), as far as this package reads them.
 * Field names of the service stop here and in client.ts / model.ts. Every field may be absent
 * or of another type in practice: model.ts reads them defensively.
 */

/** Both units are usually given; a 2026 public client reads `index.litre` of daily records (veolia-api.md §11). */
export interface VeoliaQuantity {
  litre?: number | string | null;
  m3?: number | string | null;
}

/** `GET /espace-client?type-front=WEB_ORDINATEUR`: contacts → tiers → abonnements (contracts). */
export interface VeoliaEspaceClient {
  contacts?: VeoliaContact[];
  [key: string]: unknown;
}

export interface VeoliaContact {
  id_contact?: string | number;
  tiers?: VeoliaTiers[];
  [key: string]: unknown;
}

export interface VeoliaTiers {
  id?: string | number;
  abonnements?: VeoliaAbonnement[];
  [key: string]: unknown;
}

export interface VeoliaAbonnement {
  /** Seen as a string; public clients cast it, so it may come as a number. */
  id_abonnement?: string | number;
  numero_compteur?: string | number;
  adresse_de_branchement?: string;
  emplacement_compteur?: string;
  libelle_contrat?: string;
  statut?: string;
  [key: string]: unknown;
}

/** `GET /abonnements/{id}/facturation`: gives the delivery point and the subscription start. */
export interface VeoliaFacturation {
  numero_pds?: string | number;
  /** 'YYYY-MM-DD', sometimes followed by a time. */
  date_debut_abonnement?: string;
  solde?: number;
  /** Unit UNCERTAIN (m³ in fixtures). */
  dernier_index_releve?: number;
  date_index_releve?: string;
  mode_releve?: string;
  mode_paiement?: string;
  numero_client?: string;
  titulaire?: string;
  marque?: string;
  [key: string]: unknown;
}

/** One day of `GET /consommations/{id}/journalieres`. */
export interface VeoliaDailyRecord {
  date_releve?: string;
  consommation?: VeoliaQuantity;
  /** Cumulative reading: `litre` preferred, `m3` otherwise. */
  index?: VeoliaQuantity;
  /** `MESURE`; the estimated value is UNCERTAIN (`ESTIME` assumed). */
  fiabilite_index?: string;
  [key: string]: unknown;
}

/** One month of `GET /consommations/{id}/mensuelles`. */
export interface VeoliaMonthlyRecord {
  annee?: number | string;
  mois?: number | string;
  consommation?: VeoliaQuantity;
  index?: VeoliaQuantity;
  fiabilite_conso?: string;
  [key: string]: unknown;
}

/** One billing period of `GET /consommations/facturation/{id}`; some periods carry no volume. */
export interface VeoliaBillingPeriod {
  date_facturation_precedente?: string;
  date_facturation?: string;
  /** Whole m³ in the one public capture (`{"litre":16000.0,"m3":16.0}`). */
  volume_facture_eau?: VeoliaQuantity;
  index_facture?: string;
  [key: string]: unknown;
}

/** `GET /abonnements/{id}/facturation/mensualisation/plan`: 204 when the contract has no monthly payments. */
export interface VeoliaPaymentPlan {
  prelevements_echeancier?: VeoliaScheduledPayment[];
  [key: string]: unknown;
}

/** One direct debit of the plan; `etat_prelevement` is `DONE` or `WAITING` in the known fixture. */
export interface VeoliaScheduledPayment {
  date?: string;
  montant?: number | string;
  etat_prelevement?: string;
  [key: string]: unknown;
}

/** `GET /alertes/{pds}?abo_id=`: 204 when none is configured; a missing alert is off (veolia-api.md §11). */
export interface VeoliaAlertSettings {
  seuils?: { journalier?: VeoliaAlertThreshold; mensuel?: VeoliaAlertThreshold; [key: string]: unknown };
  [key: string]: unknown;
}

/** One alert as GET /alertes gives it: `unite` is `L` (daily) or `M3` (monthly). */
export interface VeoliaAlertThreshold {
  valeur?: number | string;
  unite?: string;
  moyen_contact?: { souscrit_par_email?: boolean; souscrit_par_mobile?: boolean };
  [key: string]: unknown;
}

/** One alert of `POST /alertes/{pds}`. */
export interface VeoliaAlertSubscription {
  seuil: number;
  unite: 'L' | 'M3';
  souscrite: boolean;
  contact_channel: { subscribed_by_email: boolean; subscribed_by_mobile: boolean };
}

/** `POST /alertes/{pds}`: every alert left out is switched off; answered 204. */
export interface VeoliaAlertPost {
  alerte_journaliere?: VeoliaAlertSubscription;
  alerte_mensuelle?: VeoliaAlertSubscription;
  contact_id: string;
  numero_compteur: string;
  tiers_id: string;
  abo_id: string;
  type_front: 'WEB_ORDINATEUR';
}
