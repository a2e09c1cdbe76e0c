CREATE TABLE "holdout" (
	"key" text PRIMARY KEY NOT NULL,
	"instance_id" text,
	"repo" text,
	"pull_number" integer,
	"patch_hash" text,
	"whole_repo" boolean DEFAULT false NOT NULL,
	"source" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "holdout_repo_idx" ON "holdout" USING btree ("repo");