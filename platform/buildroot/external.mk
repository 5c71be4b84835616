include $(BR2_EXTERNAL_ACME_C_PATH)/acme.mk
