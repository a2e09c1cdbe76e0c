ALTER TABLE "model_versions" ADD COLUMN "endpoint" text;--> statement-breakpoint
ALTER TABLE "model_versions" ADD COLUMN "served_model" text;--> statement-breakpoint
ALTER TABLE "model_versions" ADD COLUMN "training_run_id" integer;--> statement-breakpoint
ALTER TABLE "model_versions" ADD COLUMN "manifest" jsonb;--> statement-breakpoint
ALTER TABLE "model_versions" ADD COLUMN "status_reason" text;--> statement-breakpoint
ALTER TABLE "model_versions" ADD COLUMN "previous_version_id" integer;--> statement-breakpoint
ALTER TABLE "rollouts" ADD COLUMN "model_version_id" integer;--> statement-breakpoint
ALTER TABLE "training_runs" ADD COLUMN "trigger" text;--> statement-breakpoint
ALTER TABLE "training_runs" ADD COLUMN "active_slot" text;--> statement-breakpoint
ALTER TABLE "training_runs" ADD COLUMN "manifest" jsonb;--> statement-breakpoint
ALTER TABLE "training_runs" ADD COLUMN "external_id" text;--> statement-breakpoint
ALTER TABLE "training_runs" ADD COLUMN "checkpoint_uri" text;--> statement-breakpoint
ALTER TABLE "training_runs" ADD COLUMN "log_uri" text;--> statement-breakpoint
ALTER TABLE "training_runs" ADD COLUMN "log_tail" text;--> statement-breakpoint
CREATE INDEX "training_runs_created_idx" ON "training_runs" USING btree ("created_at");--> statement-breakpoint
ALTER TABLE "training_runs" ADD CONSTRAINT "training_runs_active_slot_unique" UNIQUE("active_slot");