CREATE INDEX "environments_created_idx" ON "environments" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "fix_attempts_created_idx" ON "fix_attempts" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "rollouts_created_idx" ON "rollouts" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "task_instances_created_idx" ON "task_instances" USING btree ("created_at","instance_id");--> statement-breakpoint
CREATE INDEX "task_instances_status_created_idx" ON "task_instances" USING btree ("status","created_at","instance_id");--> statement-breakpoint
CREATE INDEX "task_instances_repo_created_idx" ON "task_instances" USING btree ("repo","created_at","instance_id");--> statement-breakpoint
CREATE INDEX "webhook_deliveries_received_idx" ON "webhook_deliveries" USING btree ("received_at");