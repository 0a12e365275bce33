// e-Musrenbang and DPRD Pokir proposals, split by feature (this file re-exports them):
//   proposals.schema.ts             input schemas
//   proposals.read.service.ts       chains, tracking codes, reading and visibility
//   proposals.entry.service.ts      scope of each actor, priority score, creating and editing
//   proposals.decide.service.ts     mapping, deciding at each stage, into the Renja, the backlog
//   proposals.public.service.ts     photos and the public tracking by code
//
// Musrenbang chain: kelurahan/desa forum → kecamatan forum → DPRD partner commission → OPD → TAPD.
// Pokir chain:      Bappeda → OPD.
// At each step the actor of that step accepts (recommended amount and volume), merges into another
// proposal, or rejects with a reason; TAPD (or Bappeda for an accepted one) may defer to the backlog.
export {
  MUSRENBANG_CHAIN,
  POKIR_CHAIN,
  chainOf,
  nextStage,
  newTrackingCode,
  normaliseTrackingCode,
  type ProposalRow,
  loadProposal,
  findByTrackingCode,
  proposalSteps,
  proposalOut,
  dprdMemberOf,
  canSee,
  listQuerySchema,
  type ListQuery,
  listProposals,
  listBacklog,
} from './proposals.read.service.ts';
export {
  proposalCreateSchema,
  citizenProposalSchema,
  pokirCreateSchema,
  proposalUpdateSchema,
  mappingSchema,
  decisionSchema,
} from './proposals.schema.ts';
export {
  scoreOf,
  recomputeScores,
  openMusrenbangYear,
  createProposal,
  createCitizenProposal,
  pokirOpen,
  createPokir,
  updateProposal,
  checkStageActor,
} from './proposals.entry.service.ts';
export { mapProposal, decide, enterRenja, carryOverSchema, carryOver } from './proposals.decide.service.ts';
export {
  PHOTO_MAX_BYTES,
  photoType,
  setPhoto,
  getPhoto,
  isPublic,
  type PublicTrack,
  publicTrack,
  publicPokir,
  proposalsForRenjaItem,
} from './proposals.public.service.ts';
