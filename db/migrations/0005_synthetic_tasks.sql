ALTER TABLE "environments" ADD COLUMN "coverage" jsonb;--> statement-breakpoint
ALTER TABLE "task_instances" ADD COLUMN "bug_patch" text;